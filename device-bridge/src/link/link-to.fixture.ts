// For tests: a bridge link to a scripted broker, awaiting each of its connections.
import { MqttLink } from "./mqtt-link.js";
import type { ScriptedBroker } from "./scripted-broker.js";

/** A link to `broker`, each of its connections (CONNACK and SUBACK done) in turn, and what it logged. */
export function linkTo(
  broker: ScriptedBroker,
  subscribeOptional?: string[],
  onCloudClock?: (cloudNow: number) => void,
): { link: MqttLink; nextConnect: () => Promise<void>; logged: string[] } {
  const logged: string[] = [];
  const keep = (line: string) => void logged.push(line);
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
    log: { debug() {}, info: keep, warn: keep, error: keep },
    onCloudClock,
    onConnect: () => onConnect(),
    onMessage() {},
  });
  return { link, nextConnect, logged };
}
