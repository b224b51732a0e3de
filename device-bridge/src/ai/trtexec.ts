import type { BenchmarkReport, LatencyStats } from "@jetson/protocol";

/** The logger's prefix on every trtexec line but the "&&&&" ones: `[11/23/2026-23:47:02] [I] `. */
const PREFIX = /^\[\d\d\/\d\d\/\d{4}-\d\d:\d\d:\d\d\] \[([FEWIV])\] (.*)$/;
const RESULT = /^&&&& (RUNNING|PASSED|FAILED|WAIVED) TensorRT\.trtexec \[TensorRT v(\d+)\]/;
const NUMBER = "([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?|inf|nan)";

/** Summary lines with min/max/mean/median/percentiles, and where each goes in the report. */
const STAT_LINES: Record<string, keyof Pick<BenchmarkReport, "latencyMs" | "gpuComputeMs" | "enqueueMs" | "h2dMs" | "d2hMs"> | undefined> = {
  Latency: "latencyMs",
  "GPU Compute Time": "gpuComputeMs",
  "Enqueue Time": "enqueueMs",
  "H2D Latency": "h2dMs",
  "D2H Latency": "d2hMs",
};

/** Lines that tell how far a run got, in the order they come, for progress reports. */
export const TRTEXEC_PHASES: ReadonlyArray<[pattern: RegExp, label: string]> = [
  [/^Start parsing network model/, "Parsing the ONNX model"],
  [/^Finish parsing network model/, "Building the TensorRT engine (minutes on a Jetson)"],
  [/^Engine (?:built|loaded) in/, "Loading the engine"],
  [/^Starting inference/, "Timing inference"],
  [/^=== Performance summary ===/, "Done"],
];

/**
 * Reads trtexec's output a line at a time (it can be long: one "Average on 10 runs" line per ten
 * queries) and keeps only what the report needs: the performance summary of TensorRT 8.x and 10.x
 * (samples/common/sampleReporting.cpp), the version, warnings, errors and the final verdict.
 */
export class TrtexecOutput {
  private readonly values: Partial<BenchmarkReport> & { warnings: string[] } = { warnings: [] };
  private inSummary = false;
  readonly errors: string[] = [];
  verdict: "PASSED" | "FAILED" | undefined;
  /** Index in TRTEXEC_PHASES of the last phase seen, -1 before any. */
  phase = -1;

  line(raw: string): void {
    const text = raw.replace(/\r$/, "");
    const result = RESULT.exec(text);
    if (result) {
      this.values.tensorrtVersion ??= decodeVersion(result[2] ?? "");
      if (result[1] === "PASSED" || result[1] === "FAILED") this.verdict = result[1];
      return;
    }
    const logged = PREFIX.exec(text);
    if (!logged) return;
    const [, severity, message = ""] = logged;
    if (severity === "E" || severity === "F") this.errors.push(message);
    else if (severity === "W") this.warning(message);
    else this.info(message);
  }

  /** The report, or undefined when the output has no performance summary. */
  report(): BenchmarkReport | undefined {
    const { throughputQps, latencyMs, gpuComputeMs } = this.values;
    if (throughputQps === undefined || !latencyMs || !gpuComputeMs) return undefined;
    return { ...this.values, throughputQps, latencyMs, gpuComputeMs };
  }

  private info(message: string): void {
    const phase = TRTEXEC_PHASES.findIndex(([pattern]) => pattern.test(message));
    if (phase > this.phase) this.phase = phase;
    const version = /^TensorRT version: (\d+\.\d+\.\d+)/.exec(message);
    if (version) this.values.tensorrtVersion = version[1];
    const trace = new RegExp(`^Timing trace has (\\d+) queries over ${NUMBER} s`).exec(message);
    if (trace) this.values.queries = Number(trace[1]);
    if (message === "=== Performance summary ===") this.inSummary = true;
    if (!this.inSummary) return;
    const throughput = new RegExp(`^Throughput: ${NUMBER} qps`).exec(message);
    if (throughput) this.values.throughputQps = Number(throughput[1]);
    const walltime = new RegExp(`^Total Host Walltime: ${NUMBER} s`).exec(message);
    if (walltime) this.values.totalHostWalltimeS = Number(walltime[1]);
    const gpuTotal = new RegExp(`^Total GPU Compute Time: ${NUMBER} s`).exec(message);
    if (gpuTotal) this.values.totalGpuComputeS = Number(gpuTotal[1]);
    const stat = /^([A-Za-z0-9 -]+): (min = .*)$/.exec(message);
    const key = stat?.[1] ? STAT_LINES[stat[1]] : undefined;
    if (key && stat?.[2]) this.values[key] = parseStats(stat[2]);
  }

  /** The summary's advice comes as "* finding" lines, each followed by indented lines that go with it. */
  private warning(message: string): void {
    const { warnings } = this.values;
    if (message.startsWith("* ")) warnings.push(message.slice(2));
    else if (message.startsWith("  ") && warnings.length > 0) warnings[warnings.length - 1] += ` ${message.trim()}`;
  }
}

/** `min = 0.9 ms, max = 1.3 ms, mean = ..., median = ..., percentile(90%) = ... ms, ...` */
export function parseStats(text: string): LatencyStats {
  const values = new Map<string, number>();
  for (const part of text.split(", ")) {
    const match = new RegExp(`^(min|max|mean|median|percentile\\((\\d+(?:\\.\\d+)?)%\\)) = ${NUMBER} ms$`).exec(part.trim());
    if (!match?.[1]) continue;
    values.set(match[2] ? `p${match[2]}` : match[1], Number(match[3]));
  }
  const need = (key: string) => {
    const value = values.get(key);
    if (value === undefined) throw new Error(`trtexec statistics without ${key}: ${text}`);
    return value;
  };
  return {
    min: need("min"),
    max: need("max"),
    mean: need("mean"),
    median: need("median"),
    p90: values.get("p90"),
    p95: values.get("p95"),
    p99: values.get("p99"),
  };
}

/** NV_TENSORRT_VERSION: major*1000+minor*100+patch up to 8.x (8502), major*10000+minor*100+patch from 10 (100300). */
export function decodeVersion(code: string): string | undefined {
  const n = Number(code);
  if (!Number.isInteger(n) || n <= 0) return undefined;
  const major = n >= 100_000 ? Math.floor(n / 10_000) : Math.floor(n / 1_000);
  const rest = n >= 100_000 ? n % 10_000 : n % 1_000;
  return `${major}.${Math.floor(rest / 100)}.${rest % 100}`;
}

/** trtexec's arguments for a benchmark; the model path comes from the store, never from input. */
export function trtexecArgs(options: {
  modelPath: string;
  kind: "onnx" | "engine";
  precision: "fp32" | "fp16" | "int8";
  batch?: number;
  shapes?: string;
  durationSeconds: number;
}): string[] {
  return [
    options.kind === "onnx" ? `--onnx=${options.modelPath}` : `--loadEngine=${options.modelPath}`,
    ...(options.precision === "fp32" ? [] : [`--${options.precision}`]),
    ...(options.shapes ? [`--shapes=${options.shapes}`] : []),
    ...(options.batch ? [`--batch=${options.batch}`] : []),
    `--duration=${options.durationSeconds}`,
  ];
}
