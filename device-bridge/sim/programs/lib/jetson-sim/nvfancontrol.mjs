// nvfancontrol of the simulated board (JetPack 5+). Started, it runs the profile its status file
// names or, without one, the defaults of /etc/nvfancontrol.conf, and records what it runs in the
// status file (FAN1:FAN_PROFILE:quiet ...), as NVIDIA's daemon does.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { onHost, readText } from "./runtime.mjs";

const CONF = "/etc/nvfancontrol.conf";
const STATUS = "/var/lib/nvfancontrol/status";
const RECORDED = [
  ["FAN_PROFILE", "FAN_DEFAULT_PROFILE"],
  ["FAN_GOVERNOR", "FAN_DEFAULT_GOVERNOR"],
  ["FAN_CONTROL", "FAN_DEFAULT_CONTROL"],
];

export function nvfancontrolStarted(root) {
  if (existsSync(onHost(root, STATUS)) || !existsSync(onHost(root, CONF))) return;
  const conf = readText(root, CONF);
  const setting = (key) => new RegExp(`^\\s*${key}\\s+(\\S+)`, "m").exec(conf)?.[1] ?? "";
  mkdirSync(path.dirname(onHost(root, STATUS)), { recursive: true });
  writeFileSync(onHost(root, STATUS), RECORDED.map(([field, key]) => `FAN1:${field}:${setting(key)}\n`).join(""));
}
