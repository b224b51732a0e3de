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
  const nested = realRoots.find((other) => other !== undefined && other !== root && overlap(root, other));
  if (nested !== undefined) {
    throw new ActionError(
      "permission_denied",
      `docker.volumeRoots lists ${root} and ${nested}, one inside the other: a container mounting the outer one could replace the inner one with a link anywhere. List folders side by side.`,
    );
  }
  return root;
}

/**
 * Why the bridge's own folders cannot be as configured, or undefined: none may equal, lie inside or
 * hold a volume root, compared by real paths, for the same reason roots may not nest. A container
 * mounting the root could replace the store with a link to the host's /etc or the engine's socket
 * folder, and ai.serve would mount wherever it points; or rewrite the bridge's journal.
 */
export async function ownFolderInVolumeRoot(folders: Readonly<Record<string, string>>, roots: readonly string[]): Promise<string | undefined> {
  for (const [setting, folder] of Object.entries(folders)) {
    const real = await canonical(folder);
    for (const root of roots) {
      if (overlap(real, await canonical(root))) {
        return `${setting} ${folder} and the volume root ${root} (docker.volumeRoots) overlap: a container mounting ${root} could replace ${folder} with a link anywhere. Keep stateDir and models.dir outside every volume root, with no root around them.`;
      }
    }
  }
  return undefined;
}

/** The real path of a folder, or of its nearest existing parent with the rest appended: a folder not yet created is checked where it will be. */
async function canonical(folder: string): Promise<string> {
  const resolved = path.posix.resolve(folder);
  const real = await realpath(resolved).catch(() => undefined);
  if (real !== undefined) return real;
  const parent = path.posix.dirname(resolved);
  return parent === resolved ? resolved : path.posix.join(await canonical(parent), path.posix.basename(resolved));
}

function overlap(a: string, b: string): boolean {
  return a === b || isInside(a, b) || isInside(b, a);
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
