// For tests: a bridge link to a scripted broker, awaiting each of its connections.
import { MqttLink } from "./mqtt-link.js";
import type { ScriptedBroker } from "./scripted-broker.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A link to `broker`, and each of its connections (CONNACK and SUBACK done) in turn. */
export function linkTo(broker: ScriptedBroker, subscribeOptional?: string[], onCloudClock?: (cloudNow: number) => void): { link: MqttLink; nextConnect: () => Promise<void> } {
  let onConnect = () => {};
  const nextConnect = () => new Promise<void>((resolve) => (onConnect = resolve));
  const link = new MqttLink({
    url: broker.url,
    clientId: "dev",
    username: "fleet/dev",
    password: "secret",
    keepaliveSeconds: 60,
    reconnect: { minMs: 10, maxMs: 10 },
    will: { topic: "d/dev/state", payload: "{}" },
    subscribe: ["d/dev/cmd"],
    subscribeOptional,
    log: quiet,
    onCloudClock,
    onConnect: () => onConnect(),
    onMessage() {},
  });
  return { link, nextConnect };
}
