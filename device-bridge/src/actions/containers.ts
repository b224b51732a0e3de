import { setTimeout as sleep } from "node:timers/promises";
import { launchContainer } from "../containers/launch.js";
import { LogCollector, sinceSeconds } from "../containers/log-stream.js";
import { jsonLines, PullProgress, splitReference } from "../containers/pull.js";
import { computeStats, hasPreviousCpu } from "../containers/stats.js";
import { containerName } from "../containers/engine-schemas.js";
import { containerState, inspectPorts, summarize, usesGpu } from "../containers/summaries.js";
import { checkContainerPath, checkVolumeHostPath } from "../containers/volume-roots.js";
import { monotonicProgress } from "../progress.js";
import { ActionError } from "../action-error.js";
import { type HandlerTable } from "./types.js";

export const containerHandlers = {
  "containers.list": async ({ all }, { workloads: { engine } }) => {
    const summaries = await engine.listContainers(all);
    // The list does not say which runtime a container uses; its inspection does. One may vanish in between.
    const inspected = await Promise.all(summaries.map((s) => engine.inspectById(s.Id).catch(() => undefined)));
    return { containers: summaries.map((s, i) => summarize(s, inspected[i])) };
  },

  "containers.inspect": async ({ container }, { workloads: { engine } }) => {
    const c = await engine.inspectContainer(container);
    const entrypoint = c.Config.Entrypoint;
    return {
      id: c.Id.slice(0, 12),
      name: containerName(c.Name),
      image: c.Config.Image ?? c.Image,
      imageId: c.Image,
      createdAt: c.Created,
      state: containerState(c.State.Status),
      running: c.State.Running,
      exitCode: c.State.ExitCode,
      startedAt: c.State.StartedAt,
      finishedAt: c.State.FinishedAt,
      error: c.State.Error || undefined,
      health: c.State.Health?.Status || undefined,
      restartCount: c.RestartCount ?? 0,
      restartPolicy: c.HostConfig.RestartPolicy?.Name || "no",
      runtime: c.HostConfig.Runtime,
      gpu: usesGpu(c),
      command: c.Config.Cmd ?? [],
      entrypoint: typeof entrypoint === "string" ? [entrypoint] : (entrypoint ?? []),
      envNames: (c.Config.Env ?? []).map((e) => e.split("=")[0] ?? e),
      networkMode: c.HostConfig.NetworkMode,
      ports: inspectPorts(c),
      mounts: (c.Mounts ?? []).map((m) => ({ type: m.Type ?? "bind", source: m.Source ?? "", destination: m.Destination, readOnly: m.RW === false })),
      labels: c.Config.Labels ?? {},
    };
  },

  // Each acts on the full Id inspectContainer resolved the reference to, so no second lookup can reach another container.
  "containers.start": async ({ container }, { workloads: { engine } }) => {
    const target = await engine.inspectContainer(container);
    const changed = await engine.startContainer(target);
    return { container, changed, state: containerState((await engine.inspectById(target.Id)).State.Status) };
  },

  "containers.stop": async ({ container, graceSeconds }, { workloads: { engine } }) => {
    const target = await engine.inspectContainer(container);
    const changed = await engine.stopContainer(target, graceSeconds);
    return { container, changed, state: containerState((await engine.inspectById(target.Id)).State.Status) };
  },

  "containers.restart": async ({ container, graceSeconds }, { workloads: { engine } }) => {
    const target = await engine.inspectContainer(container);
    await engine.restartContainer(target, graceSeconds);
    return { container, changed: true, state: containerState((await engine.inspectById(target.Id)).State.Status) };
  },

  "containers.remove": async ({ container, force, removeVolumes }, { workloads: { engine } }) => {
    await engine.removeContainer(await engine.inspectContainer(container), { force, volumes: removeVolumes });
    return { container, removed: true as const };
  },

  "containers.logs": async ({ container, tail, since, maxBytes }, { workloads: { engine }, signal }) => {
    const inspect = await engine.inspectContainer(container);
    const collector = new LogCollector({ tty: inspect.Config.Tty ?? false, maxBytes });
    const stream = await engine.logs(inspect.Id, { tail, since: since === undefined ? undefined : sinceSeconds(since) }, signal);
    for await (const chunk of stream) collector.add(chunk);
    return { container, ...collector.finish() };
  },

  "containers.stats": async ({ container }, { workloads: { engine }, signal }) => {
    const inspect = await engine.inspectContainer(container);
    if (!inspect.State.Running) {
      throw new ActionError("invalid_input", `${container} is not running (${inspect.State.Status}): start it with containers_start to see its usage.`);
    }
    const first = await engine.stats(inspect.Id);
    if (hasPreviousCpu(first)) return computeStats(container, first);
    // No earlier sample from the engine: take a second one a second later and compare the two.
    await sleep(1_000, undefined, { signal });
    return computeStats(container, await engine.stats(inspect.Id), first.cpu_stats);
  },

  "containers.images": async (_input, { workloads: { engine } }) => {
    const images = await engine.listImages();
    return {
      images: images.map((i) => ({
        id: i.Id.replace(/^sha256:/, "").slice(0, 12),
        tags: (i.RepoTags ?? []).filter((t) => t !== "<none>:<none>"),
        sizeBytes: i.Size,
        createdAt: i.Created === undefined ? undefined : new Date(i.Created * 1000).toISOString(),
      })),
    };
  },

  "containers.pull": async ({ image }, { workloads: { engine }, progress, signal }) => {
    const { fromImage, tag } = splitReference(image);
    const tracker = new PullProgress();
    const report = monotonicProgress(progress);
    for await (const line of jsonLines(await engine.pull(fromImage, tag, signal))) {
      tracker.line(image, line);
      const { done, total, message } = tracker.snapshot();
      report(done, total, message);
    }
    const reference = tag.startsWith("sha256:") ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
    const pulled = await engine.inspectImage(reference);
    return { image: reference, id: pulled.Id.replace(/^sha256:/, "").slice(0, 12), sizeBytes: pulled.Size };
  },

  "containers.run": async (input, { workloads: { engine, volumeRoots } }) => {
    const mounts = [];
    for (const volume of input.volumes ?? []) {
      mounts.push({
        source: await checkVolumeHostPath(volume.hostPath, volumeRoots),
        target: checkContainerPath(volume.containerPath),
        readOnly: volume.readOnly,
      });
    }
    return launchContainer(engine, input.name, {
      image: input.image,
      command: input.command,
      env: input.env,
      ports: input.ports,
      mounts,
      restart: input.restart,
      gpu: input.gpu,
      network: input.network,
    });
  },
} satisfies Partial<HandlerTable>;
