import { spawn } from "node:child_process";
import type { Stats } from "node:fs";
import { lstat, readlink } from "node:fs/promises";
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

/** Links followed on the way to a file before giving up, as the kernel does (MAXSYMLINKS). */
const MAX_LINKS = 40;

/**
 * Why sudo must not have root run this file, or undefined. The way to it, followed as the kernel
 * follows it at exec (each link from where it leads, not from where it is), may pass only through
 * folders and links that belong to root and that no one else may write, and must end at a file of
 * root's that no one else may write: otherwise the bridge's user could change what runs as root, by
 * writing the file, renaming it in its folder, or replacing a link on the way.
 */
export async function notRootOwned(file: string): Promise<string | undefined> {
  if (!path.isAbsolute(file)) return `${file} is not an absolute path`;
  const pending = names(file);
  const rootProblem = entryProblem("/", await lstat("/"), pending.length === 0);
  if (rootProblem) return rootProblem;
  let folder = "/";
  let viaLink: string | undefined;
  let links = 0;
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    // ".." leads to the real parent of the real folder, which was checked on the way down.
    if (name === "." || name === "..") {
      folder = name === "." ? folder : path.dirname(folder);
      continue;
    }
    const at = path.join(folder, name);
    const info = await lstat(at).catch(() => undefined);
    const problem = info ? entryProblem(at, info, pending.length === 0) : `${at} does not exist`;
    if (problem) return viaLink ? `${problem}, reached through the link ${viaLink}` : problem;
    if (info?.isSymbolicLink()) {
      if (++links > MAX_LINKS) return `${file} leads through more than ${MAX_LINKS} links`;
      const target = await readlink(at);
      if (path.isAbsolute(target)) folder = "/";
      pending.unshift(...names(target));
      viaLink = at;
      continue;
    }
    folder = at;
  }
  return undefined;
}

const names = (p: string) => p.split("/").filter((name) => name !== "");

/** Why an entry on the way may not lead to what root runs: another owner (of a link too: in a sticky folder its owner may replace it), or others may write it. */
function entryProblem(at: string, info: Stats, last: boolean): string | undefined {
  if (info.uid !== 0) return `${at} belongs to uid ${info.uid}, not root`;
  if (info.isSymbolicLink()) return undefined;
  // A sticky folder (/tmp) lets no one else rename or remove the root-owned entry below it.
  const sticky = info.isDirectory() && !last && (info.mode & 0o1000) !== 0;
  if ((info.mode & 0o022) !== 0 && !sticky) return `${at} is writable by its group or by others (mode ${(info.mode & 0o7777).toString(8)})`;
  if (last && !info.isFile()) return `${at} is not a file`;
  return undefined;
}
