import type { FrameworkProbe } from "@jetson/protocol";
import { z } from "zod";
import type { HostPort } from "../host/port.js";

const PROBE_TIMEOUT_MS = 30_000;

/**
 * What each framework is asked, as fixed Python source: nothing from a request ever reaches it.
 * Each prints one JSON line: the version, whether it sees the GPU, and a detail.
 */
const PROBES: Record<FrameworkProbe["name"], string> = {
  torch: [
    "import json, torch",
    "print(json.dumps({'version': torch.__version__, 'gpu': bool(torch.cuda.is_available()), 'detail': 'CUDA ' + str(torch.version.cuda)}))",
  ].join("\n"),
  tensorflow: [
    "import json, tensorflow as tf",
    "gpus = tf.config.list_physical_devices('GPU')",
    "print(json.dumps({'version': tf.__version__, 'gpu': len(gpus) > 0, 'detail': str(len(gpus)) + ' GPU device(s)'}))",
  ].join("\n"),
  onnxruntime: [
    "import json, onnxruntime as ort",
    "providers = ort.get_available_providers()",
    "gpu = any(p in providers for p in ('CUDAExecutionProvider', 'TensorrtExecutionProvider'))",
    "print(json.dumps({'version': ort.__version__, 'gpu': gpu, 'detail': ', '.join(providers)}))",
  ].join("\n"),
};

/** pip's torch for aarch64 is a CPU-only build; Jetson GPU builds come from NVIDIA. */
const CPU_ONLY_HINT: Partial<Record<FrameworkProbe["name"], string>> = {
  torch: "a CPU-only build: install NVIDIA's PyTorch wheel for this JetPack, or use an l4t-pytorch / jetson-containers image",
  onnxruntime: "no CUDA or TensorRT provider: install the onnxruntime-gpu wheel built for Jetson",
};

const AnswerSchema = z.object({ version: z.string(), gpu: z.boolean(), detail: z.string().optional() });

export async function probeFramework(host: HostPort, name: FrameworkProbe["name"]): Promise<FrameworkProbe> {
  const result = await host.run("python3", ["-c", PROBES[name]], { timeoutMs: PROBE_TIMEOUT_MS }).catch((error: Error) => error);
  if (result instanceof Error) return { name, status: "missing", gpu: false, detail: `python3 cannot run: ${result.message}` };
  if (result.timedOut) return { name, status: "timed_out", gpu: false, detail: `importing ${name} took over ${PROBE_TIMEOUT_MS / 1000} s` };
  if (result.exitCode !== 0) {
    const missing = /ModuleNotFoundError|No module named/.test(result.stderr);
    const lastLine = result.stderr.trim().split("\n").pop() ?? "";
    return { name, status: missing ? "missing" : "failed", gpu: false, detail: lastLine.slice(0, 300) };
  }
  const line = result.stdout.trim().split("\n").pop() ?? "";
  const answer = safeJson(line);
  if (!answer.success) return { name, status: "failed", gpu: false, detail: `unexpected answer: ${line.slice(0, 200)}` };
  const { version, gpu, detail } = answer.data;
  const hint = gpu ? undefined : CPU_ONLY_HINT[name];
  return { name, status: "installed", version, gpu, detail: hint ? `${detail ?? ""}; ${hint}` : detail };
}

function safeJson(line: string) {
  try {
    return AnswerSchema.safeParse(JSON.parse(line));
  } catch {
    return AnswerSchema.safeParse(undefined);
  }
}

export function probeFrameworks(host: HostPort): Promise<FrameworkProbe[]> {
  return Promise.all((Object.keys(PROBES) as FrameworkProbe["name"][]).map((name) => probeFramework(host, name)));
}
