import type { HostPort } from "../host/port.js";
import { parseDf } from "../parsers/df.js";
import { parseDu, parseDuDenied } from "../parsers/du.js";
import { runChecked } from "./run-checked.js";
import { ActionError } from "../action-error.js";
import { type HandlerTable } from "./types.js";

/** Filesystems in memory or read-only images: not where the disk fills up. */
const PSEUDO_TYPES = new Set(["tmpfs", "devtmpfs", "squashfs", "overlay", "ramfs", "efivarfs"]);
const MAX_UNREADABLE = 20;

export const storageHandlers = {
  "storage.usage": async ({ all }, { host }) => {
    const mounts = parseDf((await runChecked(host, "df", ["-P", "-B1", "-T"], { timeoutMs: 10_000 })).stdout);
    return { mounts: all ? mounts : mounts.filter((m) => !PSEUDO_TYPES.has(m.type)) };
  },

  "storage.largest": async ({ path: asked, depth, count, timeoutSeconds }, { host, workloads, signal }) => {
    // du prints paths as it was given them: "/var/" would come back as "/var//lib".
    const path = asked.replace(/\/+$/, "") || "/";
    const roots = workloads.admin.storageRoots;
    const outside = (why = "") =>
      new ActionError("permission_denied", `${path} is outside the folders this device lets storage_largest measure (storage.roots: ${roots.join(", ")})${why}.`);
    if (!roots.some((root) => isUnder(path, root))) throw outside();
    // A link inside a root (/var/run -> /run) would take du out of it: the roots hold for the folder the path leads to.
    const [real = path, ...realRoots] = await Promise.all([path, ...roots].map((each) => realPath(host, each)));
    if (!realRoots.some((root) => isUnder(real, root))) throw outside(`: it leads to ${real}`);
    // -0: each folder ends with a NUL, since a name may hold a line break. -x: stay on this filesystem (not into /proc, network mounts or other disks).
    const args = ["-0", "-x", "-B1", `--max-depth=${depth}`, "--", real];
    const result = await host.run("du", args, { timeoutMs: timeoutSeconds * 1000, signal, maxOutputBytes: 8 << 20 });
    if (/cannot access/.test(result.stderr) && result.stdout === "") {
      throw new ActionError("invalid_input", `There is no folder ${path} on the device.`);
    }
    // du exits 1 when it skipped folders it could not read, and still reports the rest.
    if (result.exitCode !== 0 && result.exitCode !== 1 && !result.timedOut) throw new ActionError("handler_failed", `du failed: ${result.stderr.trim().slice(-1000)}`);
    const sizes = parseDu(result.stdout);
    const folders = sizes.filter((f) => f.path !== real).sort((a, b) => b.bytes - a.bytes);
    return {
      path: real,
      totalBytes: sizes.find((f) => f.path === real)?.bytes,
      folders: folders.slice(0, count),
      complete: !result.timedOut && !result.truncated && !result.aborted,
      unreadable: parseDuDenied(result.stderr).slice(0, MAX_UNREADABLE),
    };
  },
} satisfies Partial<HandlerTable>;

/**
 * Where a path leads on the device (`realpath -m`), one path a call: a folder or a link's target may
 * hold a line break, which in a list of answers would read as the end of one path and the start of another.
 */
async function realPath(host: HostPort, path: string): Promise<string> {
  const { stdout } = await runChecked(host, "realpath", ["-m", "--", path], { timeoutMs: 10_000 });
  // realpath ends its answer with one line break; a line break before it belongs to the path.
  return stdout.endsWith("\n") ? stdout.slice(0, -1) : stdout;
}

function isUnder(path: string, root: string): boolean {
  const base = root.replace(/\/+$/, "");
  return base === "" || path === base || path.startsWith(`${base}/`);
}
