import { realpath } from "node:fs/promises";
import path from "node:path";
import { HostPortError } from "./port.js";

/**
 * Maps an absolute machine path to a real path under `root`, refusing `..`
 * segments and symlinks that resolve outside the root.
 */
export async function resolveUnderRoot(
  root: string,
  machinePath: string,
  realpathOf: (p: string) => Promise<string> = realpath,
): Promise<string> {
  if (!path.posix.isAbsolute(machinePath) || machinePath.includes("\0")) {
    throw new HostPortError("bad_path", `Path must be absolute: ${JSON.stringify(machinePath)}`);
  }
  if (machinePath.split("/").includes("..")) {
    throw new HostPortError("bad_path", `Path may not contain "..": ${machinePath}`);
  }
  const joined = path.join(root, machinePath);
  const resolved = await realpathOfExistingPrefix(joined, realpathOf);
  const realRoot = await realpathOf(root);
  if (resolved !== realRoot && !resolved.startsWith(realRoot.endsWith("/") ? realRoot : `${realRoot}/`)) {
    throw new HostPortError("bad_path", `Path leaves the allowed root: ${machinePath}`);
  }
  return resolved;
}

/** realpath of the longest existing prefix, with the missing tail appended (for files about to be created). */
async function realpathOfExistingPrefix(p: string, realpathOf: (p: string) => Promise<string>): Promise<string> {
  const tail: string[] = [];
  let current = p;
  for (;;) {
    try {
      return path.join(await realpathOf(current), ...tail.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return p;
      tail.push(path.basename(current));
      current = parent;
    }
  }
}
