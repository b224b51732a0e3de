import * as machine from "./programs/lib/jetson-sim/machine.mjs";

/**
 * Calls `rebooted` once after each reboot of the simulated board (a reboot moves its boot time), looked
 * for every `intervalMs`. On a board a reboot ends every program and systemd starts the enabled ones again;
 * whatever runs programs beside a simulated board does both when told. Returns the function that stops watching.
 */
export function watchReboots(root: string, rebooted: () => void, intervalMs = 200): () => void {
  let seen = machine.bootedAt(root);
  const timer = setInterval(() => {
    let now: number;
    try {
      now = machine.bootedAt(root);
    } catch {
      // The root of a test being removed, or no state yet: nothing rebooted.
      return;
    }
    if (now === seen) return;
    seen = now;
    rebooted();
  }, intervalMs);
  return () => clearInterval(timer);
}
