import { realpath } from "node:fs/promises";
import path from "node:path";
import { ActionError } from "../action-error.js";

/**
 * The canonical form of a host path a container asks to mount, refused unless it is one of the
 * configured roots itself (or a link to one). Not a folder inside a root: the Engine resolves a
 * mount's source again at every start of the container, so a container that mounts the root
 * read-write could swap that folder for a link to `/`, and the other container would get the host's
 * whole file system at its next restart. Nothing a container can write lies above a root, as long as
 * no root lies inside another, which is refused too.
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
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => undefined)));
  const root = realRoots.find((realRoot) => realRoot !== undefined && realRoot === resolved);
  if (root === undefined) {
    const configured = roots.some((candidate) => path.posix.normalize(candidate).replace(/\/$/, "") === path.posix.normalize(hostPath).replace(/\/$/, ""));
    if (configured) throw new ActionError("invalid_input", `Volume host path ${hostPath} does not exist on the device: create it first.`);
    throw outside(hostPath, roots);
  }
  const nested = realRoots.find((other) => other !== undefined && other !== root && (isInside(root, other) || isInside(other, root)));
  if (nested !== undefined) {
    throw new ActionError(
      "permission_denied",
      `docker.volumeRoots lists ${root} and ${nested}, one inside the other: a container mounting the outer one could replace the inner one with a link anywhere. List folders side by side.`,
    );
  }
  return root;
}

function outside(hostPath: string, roots: readonly string[]): ActionError {
  return new ActionError(
    "permission_denied",
    `Volume host path ${hostPath} is not one of the folders containers may mount (${roots.join(", ")}). A folder inside one cannot be mounted on its own (a container could replace it with a link to anywhere): mount the folder itself, or add it to docker.volumeRoots in the bridge configuration.`,
  );
}

function isInside(candidate: string, root: string): boolean {
  return candidate.startsWith(root.endsWith("/") ? root : `${root}/`);
}

/** A path inside the container: absolute, no `..`, no `:` or `,` (separators in Docker's mount syntaxes). */
export function checkContainerPath(containerPath: string): string {
  if (!path.posix.isAbsolute(containerPath) || /[\0:,]/.test(containerPath) || containerPath.split("/").includes("..")) {
    throw new ActionError("invalid_input", `Volume container path must be absolute, without "..", ":" or ",": ${JSON.stringify(containerPath)}`);
  }
  return path.posix.normalize(containerPath);
}
