import { privilegedWrites, type WrittenPath } from "./privileged.js";

/** The unit's StateDirectory=jetson-bridge: writable without a ReadWritePaths line. */
const UNIT_STATE_DIRECTORY = "/var/lib/jetson-bridge";

/**
 * A path a unit file can hold as it is: systemd splits ReadWritePaths= at whitespace, reads quotes,
 * backslash escapes and % specifiers in it, and a line break ends the setting (what follows would be a
 * setting of its own, such as ExecStartPre=+ as root). Plain names between single slashes need none of that.
 */
const UNIT_PATH = /^(\/[A-Za-z0-9._+@-]+)+$/;

/** The operating system's own trees, which ProtectSystem= keeps read-only (but for what apt-get and sed need). */
const SYSTEM_TREES: readonly string[] = ["bin", "boot", "etc", "lib", "lib32", "lib64", "root", "sbin", "usr"];

/**
 * Why a folder of the bridge's own data (stateDir, models.dir), which the unit makes writable when it
 * lies outside the StateDirectory, cannot be one, or undefined: the bridge's configuration config.ts
 * checks with this, and the unit is rendered only from folders that pass it.
 */
export function dataFolderProblem(folder: string): string | undefined {
  if (folder !== "/" && !UNIT_PATH.test(folder)) {
    return "must be an absolute path of plain names (letters, digits, . _ + @ -) between single slashes: no spaces, quotes, backslashes, %, control characters or trailing /";
  }
  const names = folder.split("/").filter((name) => name !== "");
  if (names.some((name) => name === "." || name === "..")) return "must not have . or .. segments";
  // "/" or one name (/var, /opt, /data): the unit would leave everything under it writable.
  if (names.length < 2) return "must be a folder of its own, at least two levels below / (such as /var/lib/jetson-bridge or /data/models)";
  const [top = ""] = names;
  if (SYSTEM_TREES.includes(top)) return `must lie outside /${top}, which belongs to the operating system`;
  return undefined;
}

export interface SandboxConfig {
  sudo: { programs: readonly string[] };
  stateDir: string;
  models: { dir: string };
}

const within = (child: string, parent: string) => child === parent || child.startsWith(`${parent}/`);

/** The folder, if it may be made writable; a second check behind the configuration's, since it is written into a unit file that root reads. */
function dataFolder(setting: string, folder: string): string {
  const problem = dataFolderProblem(folder);
  if (problem) throw new Error(`${setting} ${JSON.stringify(folder)} cannot be written into the unit: it ${problem}`);
  return folder;
}

/**
 * What the bridge's systemd unit must leave writable under ProtectSystem=strict, and for which
 * actions: the bridge's own folders outside its StateDirectory, and what its privileged programs
 * write (sudo's children share the unit's read-only mounts). Nothing else.
 */
function unitWritablePaths(config: SandboxConfig): Array<WrittenPath & { by: string }> {
  const stateDir = dataFolder("stateDir", config.stateDir);
  const modelsDir = dataFolder("models.dir", config.models.dir);
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
