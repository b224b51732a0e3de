import path from "node:path";
import { isAiImage } from "../ai/ai-images.js";
import { probeFrameworks } from "../ai/frameworks.js";
import { readLibraryVersions } from "../ai/libraries.js";
import { deployModel } from "../ai/model-download.js";
import { probeHealth, refuseRemovingServed, SERVE_LABELS, servedHealthUrl, servingSpec } from "../ai/serving.js";
import { TRTEXEC_PHASES, TrtexecOutput, trtexecArgs } from "../ai/trtexec.js";
import { launchContainer } from "../containers/launch.js";
import { containerName } from "../containers/engine-schemas.js";
import { containerState } from "../containers/summaries.js";
import { HostPortError } from "../host/port.js";
import { monotonicProgress } from "../progress.js";
import { ActionError } from "../action-error.js";
import { type HandlerTable } from "./types.js";

/** Model file extensions trtexec takes, and how it is told which kind it gets. */
const MODEL_KINDS: Record<string, "onnx" | "engine" | undefined> = { ".onnx": "onnx", ".engine": "engine", ".plan": "engine", ".trt": "engine" };

export const aiHandlers = {
  "ai.inventory": async (_input, { host, workloads: { engine } }) => {
    const [{ libraries, packagesReadable }, frameworks, images] = await Promise.all([
      readLibraryVersions(host),
      probeFrameworks(host),
      engine.listImages().then(
        (list) => ({
          available: true,
          ai: list
            .map((i) => ({ tags: (i.RepoTags ?? []).filter((t) => t !== "<none>:<none>"), id: i.Id.replace(/^sha256:/, "").slice(0, 12), sizeBytes: i.Size }))
            .filter((i) => isAiImage(i.tags)),
        }),
        (error: Error) => ({ available: false, error: error.message, ai: [] }),
      ),
    ]);
    return { libraries, packagesReadable, frameworks, images };
  },

  "ai.model_list": async (_input, { workloads: { models } }) => ({
    dir: models.dir,
    ...(await models.list()),
    freeBytes: await models.availableBytes(),
  }),

  "ai.model_deploy": async (input, { workloads: { models, localModelSources }, progress, signal }) =>
    deployModel(models, input, { signal, onProgress: monotonicProgress(progress), localSources: localModelSources }),

  "ai.model_remove": async ({ name }, { workloads: { engine, models } }) => {
    await refuseRemovingServed(engine, name);
    return { name, removed: true as const, freedBytes: await models.remove(name) };
  },

  "ai.benchmark": async (input, { host, workloads: { models }, progress, signal }) => {
    const modelPath = models.pathOf(input.model);
    const kind = MODEL_KINDS[path.extname(input.model).toLowerCase()];
    if (!kind) throw new ActionError("invalid_input", `trtexec takes an ONNX model (.onnx) or a TensorRT engine (.engine, .plan, .trt), not ${input.model}.`);
    if ((await models.sizeOf(modelPath)) === undefined) {
      throw new ActionError("invalid_input", `There is no model ${input.model} in the store: deploy it first with ai_model_deploy.`);
    }
    const output = new TrtexecOutput();
    const report = monotonicProgress(progress, 0);
    const args = trtexecArgs({ modelPath, kind, ...input });
    const result = await host
      .run("trtexec", args, {
        signal,
        timeoutMs: 9 * 60_000,
        maxOutputBytes: 1 << 20,
        onStdoutLine: (line) => {
          output.line(line);
          const phase = TRTEXEC_PHASES[output.phase];
          if (phase) report(output.phase + 1, TRTEXEC_PHASES.length, phase[1]);
        },
      })
      .catch((error: unknown) => {
        if (error instanceof HostPortError && error.reason === "not_found") {
          throw new ActionError(
            "not_supported",
            "trtexec is not on this device's program path: it ships with TensorRT in /usr/src/tensorrt/bin; add that folder to programDirs in the bridge configuration (or install TensorRT).",
          );
        }
        throw error;
      });
    for (const line of result.stderr.split("\n")) output.line(line);
    const parsed = output.report();
    if (result.timedOut) throw new ActionError("timed_out", "trtexec ran for over 9 minutes and was stopped: try a shorter duration or a prebuilt engine.");
    if (result.exitCode !== 0 || output.verdict === "FAILED" || !parsed) {
      const why = output.errors.slice(-5).join("; ") || result.stderr.trim().slice(-500) || `exit code ${result.exitCode}`;
      throw new ActionError("handler_failed", `trtexec failed on ${input.model}: ${why}`);
    }
    return { ...parsed, model: input.model, precision: input.precision, batch: input.batch, shapes: input.shapes };
  },

  "ai.serve": async (input, { workloads: { engine, models } }) => {
    if ((await models.sizeOf(models.pathOf(input.model))) === undefined) {
      throw new ActionError("invalid_input", `There is no model ${input.model} in the store: deploy it first with ai_model_deploy.`);
    }
    const modelsDir = await models.mountSource();
    const { spec, healthUrl } = servingSpec({ modelsDir, ...input });
    const launched = await launchContainer(engine, input.name, spec);
    return { id: launched.id, name: launched.name, model: input.model, state: launched.state, healthUrl };
  },

  "ai.serve_status": async ({ container }, { workloads: { engine }, signal }) => {
    const c = await engine.inspectContainer(container);
    const labels = c.Config.Labels ?? {};
    const url = servedHealthUrl(labels);
    const http = url && c.State.Running ? await probeHealth(url, signal) : undefined;
    // A probe stopped by the command's signal counts as failing, which says nothing of the server's health.
    signal.throwIfAborted();
    const dockerHealth = c.State.Health?.Status || undefined;
    return {
      container: containerName(c.Name),
      model: labels[SERVE_LABELS.model],
      image: c.Config.Image ?? c.Image,
      state: containerState(c.State.Status),
      running: c.State.Running,
      restartCount: c.RestartCount ?? 0,
      dockerHealth,
      http,
      healthy: c.State.Running && (http?.ok ?? true) && (dockerHealth === undefined || dockerHealth === "healthy"),
    };
  },
} satisfies Partial<HandlerTable>;
