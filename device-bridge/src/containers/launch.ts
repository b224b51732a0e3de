import { ActionError } from "../action-error.js";
import { createRequestBody, type ContainerSpec } from "./create-request.js";
import type { DockerEngine } from "./docker-engine.js";
import { NVIDIA_RUNTIME_MISSING } from "./engine-errors.js";
import { containerName, containerState } from "./summaries.js";

/**
 * Creates and starts a container. GPU access is checked against the engine's runtimes first
 * (Docker refuses an unknown runtime only at create, podman ignores it). A container that was
 * created but would not start is removed, so its name is free for the next try.
 */
export async function launchContainer(engine: DockerEngine, name: string | undefined, spec: ContainerSpec) {
  if (spec.gpu && !(await engine.hasNvidiaRuntime())) throw new ActionError("not_supported", NVIDIA_RUNTIME_MISSING);
  const created = await engine.createContainer(name, createRequestBody(spec), spec.image);
  try {
    await engine.startContainer(created.Id);
  } catch (error) {
    await engine.removeContainer(created.Id, { force: true, volumes: true }).catch(() => undefined);
    throw error;
  }
  const inspect = await engine.inspectContainer(created.Id);
  return {
    id: created.Id.slice(0, 12),
    name: containerName(inspect.Name),
    state: containerState(inspect.State.Status),
    warnings: created.Warnings ?? [],
  };
}
