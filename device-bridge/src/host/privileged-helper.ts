import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { privilegedRule } from "./privileged.js";

/** sudo's secure_path: what the programs the helper runs may find (sudo has cleared the bridge's PATH). */
const SECURE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** A bound on what is parsed before the rule checks it: above the longest list a request builds (apt-get's options and 50 package names). */
const ArgumentsSchema = z.array(z.string().max(4096)).max(128);

export class HelperRefusal extends Error {}

/**
 * The root side of `jetson-bridge privileged PROGRAM`: sudo runs it as root with PROGRAM's absolute
 * path from the sudoers file, and the argument list (JSON) on standard input. Runs PROGRAM only with
 * an argument list the table's request builds; anything else is refused before anything runs.
 */
export function checkedHelperCommand(argv: readonly string[], stdin: string): { program: string; args: string[]; env: Record<string, string> } {
  const [program, ...extra] = argv;
  if (program === undefined || extra.length > 0 || !path.isAbsolute(program)) throw new HelperRefusal("usage: jetson-bridge privileged /ABSOLUTE/PROGRAM < ARGUMENTS.json");
  const rule = privilegedRule(path.basename(program));
  if (rule?.via !== "helper") throw new HelperRefusal(`${path.basename(program)} is not run through the helper`);
  let value: unknown;
  try {
    value = JSON.parse(stdin);
  } catch {
    throw new HelperRefusal("standard input is not a JSON argument list");
  }
  const args = ArgumentsSchema.safeParse(value);
  if (!args.success) throw new HelperRefusal("standard input is not a JSON list of arguments");
  const checked = rule.check(args.data);
  if ("problem" in checked) throw new HelperRefusal(`refused ${path.basename(program)} ${JSON.stringify(args.data)}: ${checked.problem}`);
  return { program, args: checked.args, env: { PATH: SECURE_PATH, LANG: "C", LC_ALL: "C", ...rule.env } };
}

/** Runs the checked command with the helper's standard output and error; its exit status, or 126 when refused. */
export async function runPrivilegedHelper(argv: readonly string[], stdin: string, stderr: NodeJS.WritableStream): Promise<number> {
  let command: ReturnType<typeof checkedHelperCommand>;
  try {
    command = checkedHelperCommand(argv, stdin);
  } catch (error) {
    if (!(error instanceof HelperRefusal)) throw error;
    stderr.write(`jetson-bridge privileged: ${error.message}\n`);
    return 126;
  }
  const { program, args, env } = command;
  return new Promise((resolve, reject) => {
    // Standard input closed: apt-get and kill never wait on a question.
    const child = spawn(program, args, { shell: false, env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * Why sudo must not name this file as root's helper, or undefined: it and every folder above it
 * must belong to root and be writable by no one else, or the bridge's user could change what runs as root.
 */
export async function notRootOwned(file: string): Promise<string | undefined> {
  for (let at = path.resolve(file); ; at = path.dirname(at)) {
    const info = await stat(at).catch(() => undefined);
    if (!info) return `${at} does not exist`;
    if (info.uid !== 0) return `${at} belongs to uid ${info.uid}, not root`;
    // A sticky folder (/tmp) lets no one else rename or remove the root-owned entry below it.
    const sticky = info.isDirectory() && (info.mode & 0o1000) !== 0 && at !== path.resolve(file);
    if ((info.mode & 0o022) !== 0 && !sticky) {
      return `${at} is writable by its group or by others (mode ${(info.mode & 0o7777).toString(8)})`;
    }
    if (at === path.dirname(at)) return undefined;
  }
}
