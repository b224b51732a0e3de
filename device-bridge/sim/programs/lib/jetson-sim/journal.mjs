// The simulated board's journal: what a boot logs (kernel, units starting, the failing camera
// pipeline, a login), then what stand-ins add (units started and stopped). Kept in admin.json.
import { unitTable } from "./units.mjs";

const KERNEL = { identifier: "kernel", priority: 5 };

/**
 * What a boot logs, oldest first: { at, unit?, systemdUnit?, identifier, pid?, priority, message }.
 * `units` holds each unit's state right after boot.
 */
export function bootJournal(board, bootedAt, units) {
  const boot = bootedAt;
  const entries = [
    { ...KERNEL, at: boot, message: "Booting Linux on physical CPU 0x0000000000 [0x410fd421]" },
    { ...KERNEL, at: boot + 1, message: `Linux version ${board.kernelRelease} (buildbrain@mobile-u64-6336-d8000) (aarch64-buildroot-linux-gnu-gcc.br_real (Buildroot 2022.08) 11.3.0, GNU ld (GNU Binutils) 2.38) #1 SMP PREEMPT` },
    { ...KERNEL, at: boot + 900, priority: 3, message: "tegra-xudc 3550000.usb: failed to get usb role switch" },
  ];
  let at = boot + 3_000;
  for (const unit of unitTable(board)) {
    const state = units[unit.name];
    if (!state || state.active === "inactive") continue;
    at += 150;
    entries.push(systemd(at, unit.name, `Starting ${unit.description}...`));
    if (state.active === "failed") entries.push(...failure(at + 800, unit));
    else entries.push(systemd(at + 10, unit.name, unit.kind === "oneshot" ? `Finished ${unit.description}.` : `Started ${unit.description}.`));
    if (unit.name === "nvargus-daemon.service") {
      entries.push({ at: at + 40, systemdUnit: unit.name, identifier: "nvargus-daemon", pid: unit.pid, priority: 6, message: "=== NVIDIA Libargus Camera Service (0.99.33)=== Listening for connections..." });
    }
  }
  entries.push(
    { at: boot + 9_000, systemdUnit: "NetworkManager.service", identifier: "NetworkManager", pid: 702, priority: 6, message: `<info>  [${(boot / 1000 + 9).toFixed(4)}] dhcp4 (eth0): state changed new lease, address=192.168.1.42` },
    { at: boot + 14_000, systemdUnit: "systemd-timesyncd.service", identifier: "systemd-timesyncd", pid: 540, priority: 6, message: "Initial synchronization to time server 185.125.190.56:123 (ntp.ubuntu.com)." },
    { at: boot + 60_000, systemdUnit: "ssh.service", identifier: "sshd", pid: 2102, priority: 6, message: "Accepted publickey for nvidia from 192.168.1.10 port 51234 ssh2: ED25519 SHA256:x4Qh7mWgI0bNsd4fQv0Hh0ZxY1p2d3Kk5J9y8uE6rTc" },
  );
  return entries.sort((a, b) => a.at - b.at);
}

/** What the failing unit logs each time it starts. */
export function failure(at, unit) {
  return [
    { at, systemdUnit: unit.name, identifier: "python3", pid: 1980, priority: 3, message: "RuntimeError: Failed to open camera /dev/video0: no such device" },
    systemd(at + 1, unit.name, `${unit.name}: Main process exited, code=exited, status=1/FAILURE`, 5),
    systemd(at + 2, unit.name, `${unit.name}: Failed with result 'exit-code'.`, 4),
    systemd(at + 3, unit.name, `Failed to start ${unit.description}.`, 3),
  ];
}

/** systemd's own line about a unit. */
export function systemd(at, unit, message, priority = 6) {
  return { at, unit, systemdUnit: "init.scope", identifier: "systemd", pid: 1, priority, message };
}

/** journalctl -u: the unit's own output and what systemd says about it. */
export function aboutUnit(entry, unit) {
  return entry.systemdUnit === unit || entry.unit === unit;
}

/** An entry as `journalctl -o json` prints it: every value a string. */
export function journalJson(entry, bootId, index) {
  const record = {
    __CURSOR: `s=5b2f0e1c8d7a4e3f9b1a2c3d4e5f6a7b;i=${(index + 1).toString(16)};b=${bootId};m=${(entry.at * 1000).toString(16)};t=${(entry.at * 1000).toString(16)};x=${index.toString(16)}`,
    __REALTIME_TIMESTAMP: String(entry.at * 1000),
    __MONOTONIC_TIMESTAMP: String(index * 1000 + 1),
    _BOOT_ID: bootId,
    PRIORITY: String(entry.priority),
    _HOSTNAME: entry.hostname,
    SYSLOG_IDENTIFIER: entry.identifier,
    ...(entry.pid === undefined ? {} : { _PID: String(entry.pid) }),
    ...(entry.systemdUnit === undefined ? { _TRANSPORT: "kernel" } : { _SYSTEMD_UNIT: entry.systemdUnit, _TRANSPORT: entry.identifier === "systemd" ? "journal" : "stdout" }),
    ...(entry.unit === undefined ? {} : { UNIT: entry.unit }),
    MESSAGE: entry.message,
  };
  return JSON.stringify(record);
}
