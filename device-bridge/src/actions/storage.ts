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
    const [real = path, ...realRoots] = (await runChecked(host, "realpath", ["-m", "--", path, ...roots], { timeoutMs: 10_000 })).stdout.trimEnd().split("\n");
    if (!realRoots.some((root) => isUnder(real, root))) throw outside(`: it leads to ${real}`);
    // -x: stay on this filesystem (not into /proc, network mounts or other disks).
    const args = ["-x", "-B1", `--max-depth=${depth}`, "--", real];
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

function isUnder(path: string, root: string): boolean {
  const base = root.replace(/\/+$/, "");
  return base === "" || path === base || path.startsWith(`${base}/`);
}
