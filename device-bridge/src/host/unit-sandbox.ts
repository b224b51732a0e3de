import path from "node:path";
import { privilegedWrites, type WrittenPath } from "./privileged.js";

/** The unit's StateDirectory=jetson-bridge: writable without a ReadWritePaths line. */
const UNIT_STATE_DIRECTORY = "/var/lib/jetson-bridge";

export interface SandboxConfig {
  sudo: { programs: readonly string[] };
  stateDir: string;
  models: { dir: string };
}

const within = (child: string, parent: string) => child === parent || child.startsWith(`${parent}/`);

/**
 * What the bridge's systemd unit must leave writable under ProtectSystem=strict, and for which
 * actions: the bridge's own folders outside its StateDirectory, and what its privileged programs
 * write (sudo's children share the unit's read-only mounts). Nothing else.
 */
function unitWritablePaths(config: SandboxConfig): Array<WrittenPath & { by: string }> {
  const stateDir = path.posix.normalize(config.stateDir);
  const modelsDir = path.posix.normalize(config.models.dir);
  const own = [
    ...(within(stateDir, UNIT_STATE_DIRECTORY) ? [] : [{ path: stateDir, why: "the journal of commands (stateDir, outside StateDirectory)", by: "every action" }]),
    ...(within(modelsDir, UNIT_STATE_DIRECTORY) || within(modelsDir, stateDir)
      ? []
      : [{ path: modelsDir, why: "the model store (models.dir)", by: "ai.model_deploy, ai.model_remove" }]),
  ];
  return [...own, ...privilegedWrites(config.sudo.programs)];
}

/** The unit's ReadWritePaths= lines, each after a comment saying which actions need it and why. */
export function renderReadWritePaths(config: SandboxConfig): string {
  const paths = unitWritablePaths(config);
  if (paths.length === 0) return "# ReadWritePaths: none; the configured actions write only the StateDirectory.\n";
  return paths.map(({ path: written, why, by }) => `# ${by}: ${why}\nReadWritePaths=${written}\n`).join("");
}
