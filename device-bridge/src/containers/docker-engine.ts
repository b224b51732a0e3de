import type { z } from "zod";
import { type EngineClient, type EngineRequest, EngineUnreachableError, readBody } from "./engine-client.js";
import { engineFailure, noSuchContainer, pullFailure, type Subject, unreachable } from "./engine-errors.js";
import {
  type ContainerId,
  containerName,
  type EngineContainerInspect,
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

/** An id reference: at least the 12 hex characters containers_list shows, at most a full id. */
const ID_REFERENCE = /^[0-9a-f]{12,64}$/;

/** A container the Engine has named by its full Id (from inspectContainer, a listing or a create), acted on by that Id. */
export type ContainerTarget = { Id: ContainerId; Name: string };
const subject = (container: ContainerTarget): Subject => ({ container: containerName(container.Name) });

/**
 * The Engine operations the actions use, each one request with a typed answer (but inspectContainer,
 * which resolves a caller's reference). Failures come out as ActionErrors that name what the request
 * was about.
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

  /**
   * The container a caller's reference means: the one named exactly so, or else the one whose id
   * begins with it, given at least 12 hex characters (the id containers_list shows). The Engine alone
   * takes any unique id prefix, so "db" would reach an unrelated container whose id begins with db once
   * the one named db is gone. A name wins over an id, as in Docker: a reference that is one container's
   * name and another's id means the named one. Act on the returned Id, never on the reference again.
   */
  async inspectContainer(ref: string): Promise<EngineContainerInspect> {
    const found = await this.inspect(ref);
    if (containerName(found.Name) === ref) return found;
    // The Engine matched an id; a container named so still comes first (podman tries names after full ids).
    const named = (await this.listContainers(true)).find((s) => (s.Names ?? []).some((n) => containerName(n) === ref));
    if (named) return this.inspectById(named.Id);
    if (ID_REFERENCE.test(ref) && found.Id.startsWith(ref)) return found;
    throw noSuchContainer(ref);
  }

  /** A container by the full Id the Engine gave for it. */
  inspectById(id: ContainerId) {
    return this.inspect(id);
  }

  /** True when it changed anything (the Engine answers 304 when the container already was so). */
  async startContainer(container: ContainerTarget): Promise<boolean> {
    return (await this.empty({ method: "POST", path: `/containers/${path(container.Id)}/start` }, subject(container))) !== 304;
  }

  async stopContainer(container: ContainerTarget, graceSeconds: number): Promise<boolean> {
    return (await this.empty({ method: "POST", path: `/containers/${path(container.Id)}/stop`, query: { t: graceSeconds } }, subject(container))) !== 304;
  }

  async restartContainer(container: ContainerTarget, graceSeconds: number): Promise<void> {
    await this.empty({ method: "POST", path: `/containers/${path(container.Id)}/restart`, query: { t: graceSeconds } }, subject(container));
  }

  async removeContainer(container: ContainerTarget, options: { force: boolean; volumes: boolean }): Promise<void> {
    await this.empty({ method: "DELETE", path: `/containers/${path(container.Id)}`, query: { force: options.force, v: options.volumes } }, subject(container));
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

  /** Whatever container the Engine itself resolves the reference to: full id, name or any unique id prefix. */
  private inspect(ref: string) {
    return this.json({ method: "GET", path: `/containers/${path(ref)}/json` }, EngineContainerInspectSchema, { container: ref });
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
