import type { Logger } from "../log.js";
import type { PortRelay } from "./port-relay.js";

/** The device service's handle on the port tunnel; the relay's code loads with the first frame. */
export interface PortTunnel {
  /** Topics to subscribe to: none where the configuration allows no port, so such a device never hears of the tunnel. */
  readonly topics: string[];
  receive(payload: Uint8Array): void;
  linkLost(): void;
}

export function portTunnel(allowed: readonly number[], topic: string, publish: (frame: Uint8Array) => void, log: Logger): PortTunnel {
  let relay: Promise<PortRelay> | undefined;
  let loaded: PortRelay | undefined;
  const load = () =>
    (relay ??= import("./port-relay.js").then(({ PortRelay }) => {
      loaded = new PortRelay(new Set(allowed), publish, log);
      return loaded;
    }));
  return {
    topics: allowed.length > 0 ? [topic] : [],
    // One promise, so frames are handled in the order they came. Each frame hangs off it alone, so one
    // that throws is logged and the next still runs; unhandled, its rejection would end the bridge.
    receive: (payload) =>
      void load()
        .then((r) => r.receive(payload))
        .catch((error: unknown) => log.error(`port tunnel: a frame failed: ${error instanceof Error ? error.message : String(error)}`)),
    linkLost: () => loaded?.linkLost(),
  };
}
