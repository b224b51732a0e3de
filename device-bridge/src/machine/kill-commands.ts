import { z } from "zod";
import { catalogueInput } from "./catalogue-input.js";

// The kill command line the bridge runs as root (processes.kill), built here only: the action
// builds it, and the root helper reads a request back into this form before it runs anything.

/** A signal processes.kill sends to one process; PID 1 (init) never, whoever asks. */
export const KillRequestSchema = z.strictObject({
  signal: z.enum(["TERM", "KILL"]),
  pid: catalogueInput("processes.kill").shape.pid.min(2),
});
export type KillRequest = z.infer<typeof KillRequestSchema>;

export function killArgs({ signal, pid }: KillRequest): string[] {
  return ["-s", signal, String(pid)];
}

/** The request an argument list was built from (unchecked), or undefined when it has another shape. */
export function readKillArgs(args: readonly string[]): unknown {
  const [option, signal, pid, ...rest] = args;
  if (option !== "-s" || pid === undefined || rest.length > 0 || !/^[0-9]+$/.test(pid)) return undefined;
  return { signal, pid: Number(pid) };
}
