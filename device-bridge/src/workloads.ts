import { ModelStore } from "./ai/model-store.js";
import { type AdminConfig, AdminConfigSchema, type BridgeConfig } from "./config.js";
import { DockerEngine } from "./containers/docker-engine.js";
import { type EngineClient, SocketEngineClient } from "./containers/engine-client.js";

/**
 * What actions reach besides the host port: the Docker Engine, volume roots and model store (containers
 * and AI), and the limits of the system administration actions.
 */
export interface Workloads {
  engine: DockerEngine;
  volumeRoots: readonly string[];
  models: ModelStore;
  /** Origins on a loopback or link-local address ai.model_deploy may download from all the same (models.localSources). */
  localModelSources: readonly string[];
  admin: AdminPolicy;
}

export interface AdminPolicy {
  /** Units the services.* actions may change, as `name.type`. */
  services: readonly string[];
  /** Packages the packages.* actions may name; undefined allows any valid name. */
  packages: readonly string[] | undefined;
  /** Folders storage.largest may measure. */
  storageRoots: readonly string[];
}

export function createWorkloads(
  config: Pick<BridgeConfig, "docker" | "models"> & Partial<AdminConfig>,
  client: EngineClient = new SocketEngineClient(config.docker.socket),
): Workloads {
  // Parsed again so callers that leave the limits out (tests) get the configuration's defaults.
  const admin = AdminConfigSchema.parse({ services: config.services, packages: config.packages, storage: config.storage });
  return {
    admin: { services: admin.services.allow, packages: admin.packages.allow, storageRoots: admin.storage.roots },
    engine: new DockerEngine(client),
    volumeRoots: config.docker.volumeRoots,
    models: new ModelStore(config.models.dir, config.models.minFreeBytes),
    localModelSources: config.models.localSources ?? [],
  };
}
