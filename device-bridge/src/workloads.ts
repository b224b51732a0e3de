import { ModelStore } from "./ai/model-store.js";
import type { BridgeConfig } from "./config.js";
import { DockerEngine } from "./containers/docker-engine.js";
import { type EngineClient, SocketEngineClient } from "./containers/engine-client.js";

/** What container and AI actions reach besides the host port: the Docker Engine, volume roots, the model store. */
export interface Workloads {
  engine: DockerEngine;
  volumeRoots: readonly string[];
  models: ModelStore;
}

export function createWorkloads(
  config: Pick<BridgeConfig, "docker" | "models">,
  client: EngineClient = new SocketEngineClient(config.docker.socket),
): Workloads {
  return {
    engine: new DockerEngine(client),
    volumeRoots: config.docker.volumeRoots,
    models: new ModelStore(config.models.dir, config.models.minFreeBytes),
  };
}
