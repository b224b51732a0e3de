// For tests: a client of a real Engine that holds one request back, so a test can act while it is under way.
import type { EngineClient, EngineRequest } from "./engine-client.js";

export interface HeldEngineClient extends EngineClient {
  /** Settles once the request to hold has arrived; it waits for release. */
  readonly held: Promise<void>;
  /** Settles once a request `matches` has arrived (one earlier counts). */
  arrived(matches: (request: EngineRequest) => boolean): Promise<void>;
  /** Sends the held request on to the engine. */
  release(): void;
}

/** Passes every request to `engine` at once, but the first that `holds` matches, which waits for release(). */
export function holdingFirst(engine: EngineClient, holds: (request: EngineRequest) => boolean): HeldEngineClient {
  const seen: EngineRequest[] = [];
  const waiting: Array<{ matches: (request: EngineRequest) => boolean; resolve: () => void }> = [];
  let arrivedHeld!: () => void;
  const held = new Promise<void>((resolve) => (arrivedHeld = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let holding = true;
  return {
    socketPath: engine.socketPath,
    held,
    release,
    arrived: (matches) => (seen.some(matches) ? Promise.resolve() : new Promise((resolve) => waiting.push({ matches, resolve }))),
    open: async (request) => {
      seen.push(request);
      for (const waiter of waiting.filter((w) => w.matches(request))) waiter.resolve();
      if (holding && holds(request)) {
        holding = false;
        arrivedHeld();
        await released;
      }
      return engine.open(request);
    },
  };
}
