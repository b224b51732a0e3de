import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { REPO } from "./local-stack.js";
import { freePort } from "./ports.js";
import { ManagedProcess } from "./processes.js";

const run = promisify(execFile);

export interface LocalMosquitto {
  /** The broker's WebSocket listener, e.g. ws://127.0.0.1:40123. */
  url: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

/**
 * Debian's mosquitto 2.0.11 (installed as scripts/test.sh installs it, when missing) with a generated
 * config: a WebSocket listener, nothing persisted, its log on stderr.
 *
 * That release ignores a WebSocket listener's bind address (it listens on every interface,
 * eclipse-mosquitto/mosquitto#3045) and will not start with a WebSocket listener alone (#2284). So a
 * plain MQTT listener on 127.0.0.1 sits beside it unused, and instead of anonymous access a generated
 * user and password keep other hosts out; both are checked once per connection, not per message.
 */
export async function startMosquitto(dir: string): Promise<LocalMosquitto> {
  await run("bash", [path.join(REPO, "scripts/install-missing.sh"), "mosquitto=mosquitto"]);
  await mkdir(dir, { recursive: true });
  const username = "bench";
  const password = randomBytes(18).toString("base64url");
  const passwords = path.join(dir, "passwords");
  await run("mosquitto_passwd", ["-c", "-b", passwords, username, password]);
  const port = await freePort();
  const config = path.join(dir, "mosquitto.conf");
  await writeFile(
    config,
    [
      `listener ${await freePort()} 127.0.0.1`,
      `listener ${port}`,
      "protocol websockets",
      // As whoever runs it (root would otherwise switch to the user mosquitto, which cannot enter a private temp folder).
      `user ${userInfo().username}`,
      "allow_anonymous false",
      `password_file ${passwords}`,
      // A QoS 1 subscriber that lags keeps every message queued rather than drop past the default 1,000.
      "max_queued_messages 0",
      "persistence false",
      "log_dest stderr",
      // Not debug: that logs every packet.
      ...["error", "warning", "notice", "information"].map((type) => `log_type ${type}`),
      "",
    ].join("\n"),
  );
  const broker = ManagedProcess.start("mosquitto", "/usr/sbin/mosquitto", ["-c", config]);
  await broker.waitForLine(/mosquitto version \S+ running/);
  return { url: `ws://127.0.0.1:${port}`, username, password, stop: () => broker.stop() };
}
