import { ActionError } from "../action-error.js";
import { createRequestBody, type ContainerSpec } from "./create-request.js";
import type { DockerEngine } from "./docker-engine.js";
import { NVIDIA_RUNTIME_MISSING } from "./engine-errors.js";
import { containerName } from "./engine-schemas.js";
import { containerState } from "./summaries.js";

/**
 * Creates and starts a container. GPU access is checked against the engine's runtimes first
 * (Docker refuses an unknown runtime only at create, podman ignores it). A container that was
 * created but would not start is removed, so its name is free for the next try.
 */
export async function launchContainer(engine: DockerEngine, name: string | undefined, spec: ContainerSpec) {
  if (spec.gpu && !(await engine.hasNvidiaRuntime())) throw new ActionError("not_supported", NVIDIA_RUNTIME_MISSING);
  const created = await engine.createContainer(name, createRequestBody(spec), spec.image);
  const target = { Id: created.Id, Name: name ?? created.Id.slice(0, 12) };
  try {
    await engine.startContainer(target);
  } catch (error) {
    await engine.removeContainer(target, { force: true, volumes: true }).catch(() => undefined);
    throw error;
  }
  const inspect = await engine.inspectById(created.Id);
  return {
    id: created.Id.slice(0, 12),
    name: containerName(inspect.Name),
    state: containerState(inspect.State.Status),
    warnings: created.Warnings ?? [],
  };
}
