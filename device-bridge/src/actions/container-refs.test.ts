import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ActionInput, type ActionName, type ActionOutput, findAction } from "@jetson/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalPodman, startPodman } from "../../../scripts/podman.js";
import { ActionError } from "../action-error.js";
import { NodeHost } from "../host/node-host.js";
import { createWorkloads } from "../workloads.js";
import { handlers } from "./index.js";
import type { ActionContext } from "./types.js";

// Against a real Engine API (podman's), whose own lookup takes any unique id prefix.
let podman: LocalPodman;
let context: ActionContext;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "refs-"));
  podman = await startPodman(path.join(dir, "podman"));
  context = {
    host: new NodeHost({ root: dir, programDirs: [dir], defaultTimeoutMs: 1_000, defaultMaxOutputBytes: 1_000 }),
    stateDir: dir,
    bridgeVersion: "test",
    workloads: createWorkloads({ docker: { socket: podman.socketPath, volumeRoots: [] }, models: { dir: path.join(dir, "models"), minFreeBytes: 0 } }),
    signal: new AbortController().signal,
    progress: () => undefined,
    reportState: async () => undefined,
  };
}, 120_000);

afterAll(async () => {
  await podman?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Runs a handler as the dispatcher does: input parsed by the catalogue, output checked. */
async function run<N extends ActionName>(action: N, input: ActionInput<N> | Record<string, unknown>): Promise<ActionOutput<N>> {
  const definition = findAction(action);
  if (!definition) throw new Error(`no action ${action}`);
  const handler = handlers[action] as (input: unknown, context: ActionContext) => Promise<unknown>;
  return definition.output.parse(await handler(definition.input.parse(input), context)) as ActionOutput<N>;
}

/** Starts a long-running container as containers_run does; its 12-character id. */
async function sleeper(name: string): Promise<string> {
  return (await run("containers.run", { image: podman.image, name, command: ["sleep", "600"], network: "none" })).id;
}

async function running(name: string): Promise<boolean> {
  return (await run("containers.inspect", { container: name })).running;
}

async function failure(promise: Promise<unknown>): Promise<ActionError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ActionError)) throw new Error(`expected an ActionError, got ${JSON.stringify(error)}`);
  return error;
}

const noSuch = (ref: string) => ({ code: "invalid_input", message: `There is no container ${ref} on the device: containers_list shows the ones there are.` });

describe("which container a reference means", () => {
  it("removes a name only while a container has it: again, it answers not found and leaves a container whose id begins with that name running", async () => {
    const victimId = await sleeper("victim-gone-name");
    const name = victimId.slice(0, 4);
    await sleeper(name);
    expect(await run("containers.remove", { container: name, force: true })).toEqual({ container: name, removed: true });
    expect(await failure(run("containers.remove", { container: name, force: true }))).toMatchObject(noSuch(name));
    expect(await failure(run("containers.stop", { container: name }))).toMatchObject(noSuch(name));
    expect(await running("victim-gone-name")).toBe(true);
  });

  it("takes no id shorter than the 12 characters containers_list shows", async () => {
    const id = await sleeper("victim-short-id");
    const short = id.slice(0, 11);
    expect(await failure(run("containers.remove", { container: short, force: true }))).toMatchObject(noSuch(short));
    expect(await failure(run("containers.inspect", { container: short }))).toMatchObject(noSuch(short));
    expect(await running("victim-short-id")).toBe(true);
  });

  it("acts on the 12-character id containers_list shows", async () => {
    await sleeper("by-listed-id");
    const listed = (await run("containers.list", { all: true })).containers.find((c) => c.name === "by-listed-id");
    const id = listed?.id ?? "";
    expect(id).toHaveLength(12);
    expect(await run("containers.stop", { container: id, graceSeconds: 0 })).toEqual({ container: id, changed: true, state: "exited" });
    expect(await run("containers.remove", { container: id })).toEqual({ container: id, removed: true });
    expect((await run("containers.list", { all: true })).containers.map((c) => c.name)).not.toContain("by-listed-id");
  });

  it("takes a name over an id: a container named after another's listed id is the one that reference means", async () => {
    const id = await sleeper("named-over");
    await sleeper(id);
    expect(await run("containers.stop", { container: id, graceSeconds: 0 })).toMatchObject({ changed: true, state: "exited" });
    expect(await running(id)).toBe(false);
    expect(await running("named-over")).toBe(true);
  });
});
