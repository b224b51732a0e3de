import type { HostPort, RunOptions } from "@jetson/device-bridge/provisioning";

/** Runs a program on the target; its standard output, or an error naming the command and what it said. */
export async function runOnTarget(host: HostPort, program: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await host.run(program, args, options);
  if (result.exitCode !== 0) {
    throw new Error(`${program} ${args.join(" ")} failed on the target (exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result.stdout;
}
