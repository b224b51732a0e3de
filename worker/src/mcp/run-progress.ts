import type { FleetRun } from "@jetson/protocol";
import type { ServerContext } from "@modelcontextprotocol/server";
import type { FleetOps } from "../fleet-ops/fleet-ops.js";

/**
 * A tool call may wait this long for a run. Clients commonly give a request 60 s,
 * and a stateless server cannot reach the client after its answer, so a longer run
 * is followed by reading jetson://runs/<id> or calling get_fleet_run again.
 */
export const MAX_WAIT_SECONDS = 50;

const done = (run: FleetRun) => run.counts.succeeded + run.counts.failed + run.counts.skipped;

function runLine(run: FleetRun): string {
  const { succeeded, failed, running, pending, skipped } = run.counts;
  return `${run.id} ${run.state}: ${succeeded} succeeded, ${failed} failed, ${running} running, ${pending} pending, ${skipped} skipped${run.reason ? `. ${run.reason}` : ""}`;
}

/**
 * Waits up to `waitSeconds` for the run to end, sending a progress notification
 * (devices finished of all devices) whenever more have finished, if the client
 * asked for progress. The run object is long-polled, so nothing spins.
 */
export async function followRun(ops: FleetOps, run: FleetRun, waitSeconds: number, ctx: ServerContext): Promise<FleetRun> {
  const token = ctx.mcpReq._meta?.progressToken;
  const until = Date.now() + Math.min(waitSeconds, MAX_WAIT_SECONDS) * 1000;
  let reported = -1;
  const report = (current: FleetRun) => {
    // Progress must grow with each notification.
    if (token === undefined || done(current) <= reported) return;
    reported = done(current);
    void ctx.mcpReq
      .notify({
        method: "notifications/progress",
        params: { progressToken: token, progress: reported, total: current.devices.length, message: runLine(current) },
      })
      .catch(() => undefined);
  };
  let current = run;
  let version = 0;
  report(current);
  while (current.state === "running" && Date.now() < until && !ctx.mcpReq.signal.aborted) {
    ({ run: current, version } = await ops.watchRun(current.id, version, until - Date.now()));
    report(current);
  }
  return current;
}
