import type { z } from "zod";
import { type EngineClient, type EngineRequest, EngineUnreachableError, readBody } from "./engine-client.js";
import { engineFailure, pullFailure, type Subject, unreachable } from "./engine-errors.js";
import {
  EngineContainerInspectSchema,
  EngineContainerSummarySchema,
  EngineCreatedSchema,
  EngineErrorBodySchema,
  EngineImageInspectSchema,
  EngineImageSummarySchema,
  EngineInfoSchema,
  EngineStatsSchema,
} from "./engine-schemas.js";

const path = encodeURIComponent;
/** An image name keeps its slashes in the URL, as the docker CLI sends it. */
const imagePath = (image: string) => image.split("/").map(encodeURIComponent).join("/");

/**
 * The Engine operations the actions use, each one request with a typed answer. Failures
 * come out as ActionErrors that name what the request was about.
 */
export class DockerEngine {
  constructor(private readonly client: EngineClient) {}

  info() {
    return this.json({ method: "GET", path: "/info" }, EngineInfoSchema, {});
  }

  /** Whether the engine can run containers under the NVIDIA runtime. */
  async hasNvidiaRuntime(): Promise<boolean> {
    const info = await this.info();
    return Object.keys(info.Runtimes ?? {}).includes("nvidia");
  }

  listContainers(all: boolean) {
    return this.json({ method: "GET", path: "/containers/json", query: { all } }, EngineContainerSummarySchema.array(), {});
  }

  inspectContainer(container: string) {
    return this.json({ method: "GET", path: `/containers/${path(container)}/json` }, EngineContainerInspectSchema, { container });
  }

  /** True when it changed anything (the Engine answers 304 when the container already was so). */
  async startContainer(container: string): Promise<boolean> {
    return (await this.empty({ method: "POST", path: `/containers/${path(container)}/start` }, { container })) !== 304;
  }

  async stopContainer(container: string, graceSeconds: number): Promise<boolean> {
    return (await this.empty({ method: "POST", path: `/containers/${path(container)}/stop`, query: { t: graceSeconds } }, { container })) !== 304;
  }

  async restartContainer(container: string, graceSeconds: number): Promise<void> {
    await this.empty({ method: "POST", path: `/containers/${path(container)}/restart`, query: { t: graceSeconds } }, { container });
  }

  async removeContainer(container: string, options: { force: boolean; volumes: boolean }): Promise<void> {
    await this.empty({ method: "DELETE", path: `/containers/${path(container)}`, query: { force: options.force, v: options.volumes } }, { container });
  }

  createContainer(name: string | undefined, body: unknown, image: string) {
    return this.json({ method: "POST", path: "/containers/create", query: { name }, body }, EngineCreatedSchema, { name, image });
  }

  /** The raw log stream (multiplexed unless the container has a TTY). */
  logs(container: string, query: { tail: number; since?: number }, signal?: AbortSignal) {
    return this.stream(
      {
        method: "GET",
        path: `/containers/${path(container)}/logs`,
        query: { stdout: true, stderr: true, timestamps: true, tail: query.tail, since: query.since },
        signal,
      },
      { container },
    );
  }

  /** One stats sample. The Engine fills precpu_stats from an earlier read only where it keeps one (Docker does, podman does not). */
  stats(container: string) {
    return this.json({ method: "GET", path: `/containers/${path(container)}/stats`, query: { stream: false } }, EngineStatsSchema, { container });
  }

  listImages() {
    return this.json({ method: "GET", path: "/images/json" }, EngineImageSummarySchema.array(), {});
  }

  inspectImage(image: string) {
    return this.json({ method: "GET", path: `/images/${imagePath(image)}/json` }, EngineImageInspectSchema, { image });
  }

  /** The JSON-lines progress stream of a pull; most of its errors arrive in the stream, not as a status. */
  async pull(fromImage: string, tag: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const response = await this.open({ method: "POST", path: "/images/create", query: { fromImage, tag }, signal });
    if (response.status >= 400) throw pullFailure(`${fromImage}:${tag}`, errorMessage(await readBody(response.body)));
    return response.body;
  }

  private async open(request: EngineRequest) {
    try {
      return await this.client.open(request);
    } catch (error) {
      throw error instanceof EngineUnreachableError ? unreachable(error) : error;
    }
  }

  private async stream(request: EngineRequest, subject: Subject): Promise<AsyncIterable<Buffer>> {
    const response = await this.open(request);
    if (response.status >= 400) throw engineFailure(response.status, errorMessage(await readBody(response.body)), subject);
    return response.body;
  }

  private async json<S extends z.ZodType>(request: EngineRequest, schema: S, subject: Subject): Promise<z.infer<S>> {
    const response = await this.open(request);
    const body = await readBody(response.body);
    if (response.status >= 400) throw engineFailure(response.status, errorMessage(body), subject);
    const parsed = schema.safeParse(JSON.parse(body.toString("utf8")));
    if (!parsed.success) throw new Error(`Unexpected answer from the Docker Engine to ${request.method} ${request.path}: ${parsed.error.message}`);
    return parsed.data;
  }

  private async empty(request: EngineRequest, subject: Subject): Promise<number> {
    const response = await this.open(request);
    const body = await readBody(response.body);
    if (response.status >= 400) throw engineFailure(response.status, errorMessage(body), subject);
    return response.status;
  }
}

/** The Engine's `{"message": ...}`, or the raw text when it sent something else. */
export function errorMessage(body: Buffer): string {
  const text = body.toString("utf8").trim();
  try {
    const parsed = EngineErrorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.message;
  } catch {
    // Not JSON: the text itself is the message.
  }
  return text.slice(0, 500) || "no details";
}
