import { nvfancontrolStarted } from "./nvfancontrol.mjs";

// systemd units of the simulated board. "running" units keep a main process (listed by ps),
// "oneshot" ones end active (exited), a "failing" one fails each time it starts.

/** [name, description, unit file state, kind, main process: pid, command, user, %CPU, RSS KiB]; `since` = first JetPack generation that has it. */
const UNITS = [
  { name: "containerd.service", description: "containerd container runtime", file: "enabled", kind: "running", pid: 812, comm: "containerd", user: "root", cpu: 0.4, rss: 48_120 },
  { name: "cron.service", description: "Regular background program processing daemon", file: "enabled", kind: "running", pid: 1120, comm: "cron", user: "root", cpu: 0.0, rss: 2_964 },
  { name: "docker.service", description: "Docker Application Container Engine", file: "enabled", kind: "running", pid: 901, comm: "dockerd", user: "root", cpu: 0.6, rss: 92_400 },
  { name: "NetworkManager.service", description: "Network Manager", file: "enabled", kind: "running", pid: 702, comm: "NetworkManager", user: "root", cpu: 0.2, rss: 18_880 },
  { name: "nvargus-daemon.service", description: "Argus daemon", file: "enabled", kind: "running", pid: 745, comm: "nvargus-daemon", user: "root", cpu: 0.8, rss: 64_000 },
  { name: "nvfancontrol.service", description: "nvfancontrol service", file: "enabled", kind: "running", pid: 760, comm: "nvfancontrol", user: "root", cpu: 0.1, rss: 4_096, since: 5 },
  { name: "nvpmodel.service", description: "nvpmodel service", file: "enabled", kind: "oneshot" },
  { name: "nv-l4t-usb-device-mode.service", description: "Configure USB flashing port for device mode", file: "enabled", kind: "oneshot" },
  { name: "ssh.service", description: "OpenBSD Secure Shell server", file: "enabled", kind: "running", pid: 955, comm: "sshd", user: "root", cpu: 0.0, rss: 7_808 },
  { name: "systemd-journald.service", description: "Journal Service", file: "static", kind: "running", pid: 312, comm: "systemd-journal", user: "root", cpu: 0.1, rss: 28_416 },
  { name: "systemd-resolved.service", description: "Network Name Resolution", file: "enabled", kind: "running", pid: 561, comm: "systemd-resolve", user: "systemd-resolve", cpu: 0.0, rss: 13_100 },
  { name: "systemd-timesyncd.service", description: "Network Time Synchronization", file: "enabled", kind: "running", pid: 540, comm: "systemd-timesyn", user: "systemd-timesync", cpu: 0.0, rss: 7_168 },
  { name: "apt-daily.service", description: "Daily apt download activities", file: "static", kind: "oneshot", idle: true },
  { name: "nginx.service", description: "A high performance web server and a reverse proxy server", file: "disabled", kind: "running", pid: 4400, comm: "nginx", user: "root", cpu: 0.0, rss: 5_320 },
  { name: "camera-pipeline.service", description: "Camera inference pipeline", file: "enabled", kind: "failing", custom: true },
];

/** What starting a unit does to the board besides running it. */
export const UNIT_START_EFFECTS = new Map([["nvfancontrol.service", nvfancontrolStarted]]);

/** Runs a unit's start effect, for a unit that is now active. */
export function unitStarted(root, name, state) {
  if (state.active === "active") UNIT_START_EFFECTS.get(name)?.(root);
}

/** The units this board's JetPack has. */
export function unitTable(board) {
  return UNITS.filter((unit) => unit.since === undefined || board.generation >= unit.since);
}

/** `nginx` -> `nginx.service`, as systemctl completes a name without a type. */
export function unitName(name) {
  return /\.(service|socket|target|timer|mount|automount|swap|path|slice|scope|device)$/.test(name) ? name : `${name}.service`;
}

/** Where the unit file lives: the distribution's units in /lib, the site's own in /etc. */
export function fragmentPath(unit) {
  return `${unit.custom ? "/etc" : "/lib"}/systemd/system/${unit.name}`;
}

/** The state a unit boots into. */
export function bootState(unit, bootedAt) {
  const starts = unit.file === "enabled" || (unit.file === "static" && !unit.idle);
  if (!starts) return { active: "inactive", sub: "dead", since: null, result: "success", restarts: 0 };
  if (unit.kind === "failing") return { active: "failed", sub: "failed", since: null, result: "exit-code", restarts: 0 };
  return { active: "active", sub: unit.kind === "oneshot" ? "exited" : "running", since: bootedAt + 4_000, result: "success", restarts: 0 };
}

/** A start: running or exited, or failed for the failing unit. */
export function started(unit, now) {
  if (unit.kind === "failing") return { active: "failed", sub: "failed", since: null, result: "exit-code", restarts: 0 };
  return { active: "active", sub: unit.kind === "oneshot" ? "exited" : "running", since: now, result: "success", restarts: 0 };
}

export function stopped() {
  return { active: "inactive", sub: "dead", since: null, result: "success", restarts: 0 };
}
