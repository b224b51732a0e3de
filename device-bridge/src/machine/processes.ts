import type { HostPort } from "../host/port.js";

/** Whether a process with this command name (/proc/PID/comm) runs on the machine. */
export async function isProcessRunning(host: HostPort, name: string): Promise<boolean> {
  const pids = (await host.listDir("/proc")).filter((entry) => /^\d+$/.test(entry));
  const names = await Promise.all(pids.map((pid) => host.readFile(`/proc/${pid}/comm`)));
  return names.some((comm) => comm?.trim() === name);
}
