import type { ErrorCode } from "@jetson/protocol";
import { ActionError } from "../action-error.js";
import type { ContainerSpec } from "../containers/create-request.js";
import type { DockerEngine } from "../containers/docker-engine.js";
import { listedName } from "../containers/engine-schemas.js";

/** Labels a serving container carries, so its health can be read back later from the container alone. */
export const SERVE_LABELS = { model: "io.jetson-bridge.model", healthUrl: "io.jetson-bridge.health-url" } as const;
const MODELS_MOUNT = "/models";

export function servingSpec(options: {
  /** The store's real path (ModelStore.mountSource): the engine mounts whatever this names. */
  modelsDir: string;
  model: string;
  image: string;
  port: number;
  healthPath?: string;
  command?: string[];
  network?: string;
}): { spec: ContainerSpec; healthUrl?: string } {
  const healthUrl = options.healthPath ? `http://127.0.0.1:${options.port}${options.healthPath}` : undefined;
  return {
    healthUrl,
    spec: {
      image: options.image,
      command: options.command,
      env: { MODEL_NAME: options.model, MODEL_PATH: `${MODELS_MOUNT}/${options.model}`, MODEL_REPOSITORY: MODELS_MOUNT },
      ports: options.network === "host" ? [] : [{ containerPort: options.port, hostPort: options.port, protocol: "tcp" }],
      mounts: [{ source: options.modelsDir, target: MODELS_MOUNT, readOnly: true }],
      restart: "unless-stopped",
      gpu: true,
      network: options.network,
      labels: { [SERVE_LABELS.model]: options.model, ...(healthUrl ? { [SERVE_LABELS.healthUrl]: healthUrl } : {}) },
    },
  };
}

/**
 * The health URL a container's label names, when it is one ai.serve could have written: plain HTTP to
 * 127.0.0.1. An image sets its own labels, so any other address (the LAN, a cloud's metadata service)
 * is not asked.
 */
export function servedHealthUrl(labels: Record<string, string>): string | undefined {
  const label = labels[SERVE_LABELS.healthUrl];
  const url = label === undefined || !URL.canParse(label) ? undefined : new URL(label);
  return url?.protocol === "http:" && url.hostname === "127.0.0.1" && url.username === "" && url.password === "" ? url.href : undefined;
}

/** GET on the health URL, answered within a few seconds or counted as failing. */
export async function probeHealth(url: string, signal: AbortSignal): Promise<{ url: string; ok: boolean; status?: number; error?: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(3_000)]) });
    await response.body?.cancel();
    return { url, ok: response.ok, status: response.status };
  } catch (error) {
    return { url, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** How the engine says it cannot be reached (not running, or not the bridge's to use): then no container ai.serve started runs. */
const UNREACHABLE: ReadonlySet<ErrorCode> = new Set(["unavailable", "permission_denied"]);

/**
 * Refuses to remove a model a running container serves (by ai.serve's label): the container mounts
 * the store, so its server would lose the file under it and fail at its next start.
 */
export async function refuseRemovingServed(engine: DockerEngine, model: string): Promise<void> {
  const running = await engine.listContainers(false).catch((error: unknown) => {
    if (error instanceof ActionError && UNREACHABLE.has(error.code)) return [];
    throw error;
  });
  const serving = running.filter((c) => c.Labels?.[SERVE_LABELS.model] === model).map(listedName);
  if (serving.length === 0) return;
  const [which, them] = serving.length === 1 ? ["container", "it"] : ["containers", "them"];
  throw new ActionError(
    "invalid_input",
    `The model ${model} is served by the running ${which} ${serving.join(", ")}: stop or remove ${them} first (containers_stop, containers_remove), then remove the model. Nothing was removed.`,
  );
}
