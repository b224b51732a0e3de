import { realpath } from "node:fs/promises";
import path from "node:path";
import { ActionError } from "../action-error.js";

/**
 * The canonical form of a host path a container asks to mount, refused unless it lies under one
 * of the configured roots: no `..`, and every symlink resolved before the comparison (as
 * host/root-path.ts does), so a link inside a root cannot lead out of it. The path must exist,
 * as the Engine's bind mounts need it to.
 */
export async function checkVolumeHostPath(hostPath: string, roots: readonly string[]): Promise<string> {
  if (roots.length === 0) {
    throw new ActionError(
      "permission_denied",
      "This bridge allows no volumes: list the folders containers may mount under docker.volumeRoots in its configuration.",
    );
  }
  if (!path.posix.isAbsolute(hostPath) || hostPath.includes("\0") || hostPath.split("/").includes("..")) {
    throw new ActionError("invalid_input", `Volume host path must be absolute and free of "..": ${JSON.stringify(hostPath)}`);
  }
  const resolved = await realpath(hostPath).catch(() => undefined);
  if (resolved === undefined) {
    if (!roots.some((root) => isInside(path.posix.normalize(hostPath), root))) throw outside(hostPath, roots);
    throw new ActionError("invalid_input", `Volume host path ${hostPath} does not exist on the device: create it first.`);
  }
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => undefined);
    if (realRoot !== undefined && isInside(resolved, realRoot)) return resolved;
  }
  throw outside(hostPath, roots);
}

function outside(hostPath: string, roots: readonly string[]): ActionError {
  return new ActionError(
    "permission_denied",
    `Volume host path ${hostPath} is outside the folders containers may mount (${roots.join(", ")}): use a folder under one of them, or add a root to docker.volumeRoots in the bridge configuration.`,
  );
}

function isInside(candidate: string, root: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith("/") ? root : `${root}/`);
}

/** A path inside the container: absolute, no `..`, no `:` or `,` (separators in Docker's mount syntaxes). */
export function checkContainerPath(containerPath: string): string {
  if (!path.posix.isAbsolute(containerPath) || /[\0:,]/.test(containerPath) || containerPath.split("/").includes("..")) {
    throw new ActionError("invalid_input", `Volume container path must be absolute, without "..", ":" or ",": ${JSON.stringify(containerPath)}`);
  }
  return path.posix.normalize(containerPath);
}
