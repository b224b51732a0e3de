import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimulatedJetson } from "../../sim/index.js";
import { runProgram, tempJetson } from "../../sim/testing.js";
import { decodeVersion, parseStats, TRTEXEC_PHASES, TrtexecOutput, trtexecArgs } from "./trtexec.js";

function parse(stdout: string, stderr = ""): TrtexecOutput {
  const output = new TrtexecOutput();
  for (const line of `${stdout}\n${stderr}`.split("\n")) output.line(line);
  return output;
}

const boards = [
  { board: "agx-orin-jp6", tensorrt: "10.3.0", percentiles: true },
  { board: "xavier-nx-jp51", tensorrt: "8.5.2", percentiles: true },
  { board: "nano-jp46", tensorrt: "8.2.1", percentiles: false },
] as const;

describe.each(boards)("trtexec's output on $board (TensorRT $tensorrt)", ({ board, tensorrt, percentiles }) => {
  let sim: SimulatedJetson & { remove(): Promise<void> };
  let model: string;

  beforeAll(async () => {
    sim = await tempJetson(board);
    model = path.join(sim.root, "model.onnx");
    await writeFile(model, Buffer.alloc(2 * 1024 * 1024, 7));
  });
  afterAll(() => sim.remove());

  it("parses the performance summary into consistent numbers", async () => {
    const run = await runProgram(sim, "trtexec", trtexecArgs({ modelPath: model, kind: "onnx", precision: "fp16", durationSeconds: 1 }));
    expect(run.code).toBe(0);
    const output = parse(run.stdout, run.stderr);
    expect(output.verdict).toBe("PASSED");
    expect(output.phase).toBe(TRTEXEC_PHASES.length - 1);
    const report = output.report();
    expect(report?.tensorrtVersion).toBe(tensorrt);
    if (!report) throw new Error("no report");
    expect(report.throughputQps).toBeGreaterThan(0);
    for (const stats of [report.latencyMs, report.gpuComputeMs]) {
      expect(stats.min).toBeLessThanOrEqual(stats.median);
      expect(stats.median).toBeLessThanOrEqual(stats.max);
      expect(stats.p99).toBeDefined();
      expect(stats.p99).toBeLessThanOrEqual(stats.max);
      if (percentiles) {
        expect(stats.p90).toBeLessThanOrEqual(stats.p95 ?? Number.NaN);
        expect(stats.p95).toBeLessThanOrEqual(stats.p99 ?? Number.NaN);
      } else {
        expect(stats.p90).toBeUndefined();
      }
    }
    // Host latency is H2D + compute + D2H, so never below the GPU compute time.
    expect(report.latencyMs.mean).toBeGreaterThan(report.gpuComputeMs.mean);
    expect(report.enqueueMs).toBeDefined();
    expect(report.queries).toBeGreaterThanOrEqual(10);
    // trtexec computes throughput as queries over the host walltime.
    expect(report.throughputQps).toBeCloseTo((report.queries ?? 0) / (report.totalHostWalltimeS ?? 1), -1);
  });

  it("reads the errors of a failed run", async () => {
    const run = await runProgram(sim, "trtexec", [`--loadEngine=${path.join(sim.root, "missing.engine")}`]);
    expect(run.code).toBe(1);
    const output = parse(run.stdout, run.stderr);
    expect(output.verdict).toBe("FAILED");
    expect(output.report()).toBeUndefined();
    expect(output.errors).toContain(`Error opening engine file: ${path.join(sim.root, "missing.engine")}`);
  });
});

describe("trtexec details", () => {
  it("parses a statistics line with any set of percentiles and C++ float formats", () => {
    expect(parseStats("min = 0.939697 ms, max = 1.33838 ms, mean = 0.953802 ms, median = 0.950195 ms, percentile(90%) = 0.957031 ms, percentile(95%) = 0.962891 ms, percentile(99%) = 1.05176 ms")).toEqual({
      min: 0.939697,
      max: 1.33838,
      mean: 0.953802,
      median: 0.950195,
      p90: 0.957031,
      p95: 0.962891,
      p99: 1.05176,
    });
    expect(parseStats("min = 8.7738e-05 ms, max = 1 ms, mean = 0.5 ms, median = 0.5 ms, percentile(99%) = 1 ms")).toMatchObject({ min: 8.7738e-5, p99: 1 });
    expect(() => parseStats("max = 1 ms")).toThrow(/without min/);
  });

  it("decodes NV_TENSORRT_VERSION for TensorRT 8 and 10", () => {
    expect(decodeVersion("8201")).toBe("8.2.1");
    expect(decodeVersion("8602")).toBe("8.6.2");
    expect(decodeVersion("100300")).toBe("10.3.0");
  });

  it("reads a summary with its advice, the advice's continuation lines joined", () => {
    const at = "[08/10/2023-10:45:51]";
    const stdout = [
      "&&&& RUNNING TensorRT.trtexec [TensorRT v8502] # /usr/src/tensorrt/bin/trtexec --onnx=resnet50.onnx --fp16",
      `${at} [I] Timing trace has 3236 queries over 3.00272 s`,
      `${at} [I] === Performance summary ===`,
      `${at} [I] Throughput: 1078.02 qps`,
      `${at} [I] Latency: min = 0.939697 ms, max = 1.33838 ms, mean = 0.953802 ms, median = 0.950195 ms, percentile(90%) = 0.957031 ms, percentile(95%) = 0.962891 ms, percentile(99%) = 1.05176 ms`,
      `${at} [I] GPU Compute Time: min = 0.896484 ms, max = 1.29492 ms, mean = 0.910429 ms, median = 0.906738 ms, percentile(90%) = 0.913574 ms, percentile(95%) = 0.918945 ms, percentile(99%) = 1.00781 ms`,
      `${at} [I] Total Host Walltime: 3.00272 s`,
      `${at} [I] Total GPU Compute Time: 2.94704 s`,
      "&&&& PASSED TensorRT.trtexec [TensorRT v8502] # /usr/src/tensorrt/bin/trtexec --onnx=resnet50.onnx --fp16",
    ].join("\n");
    const stderr = [
      `${at} [W] * GPU compute time is unstable, with coefficient of variance = 2.98877%.`,
      `${at} [W]   If not already in use, locking GPU clock frequency or adding --useSpinWait may improve the stability.`,
    ].join("\n");
    expect(parse(stdout, stderr).report()).toEqual({
      tensorrtVersion: "8.5.2",
      queries: 3236,
      throughputQps: 1078.02,
      latencyMs: { min: 0.939697, max: 1.33838, mean: 0.953802, median: 0.950195, p90: 0.957031, p95: 0.962891, p99: 1.05176 },
      gpuComputeMs: { min: 0.896484, max: 1.29492, mean: 0.910429, median: 0.906738, p90: 0.913574, p95: 0.918945, p99: 1.00781 },
      totalHostWalltimeS: 3.00272,
      totalGpuComputeS: 2.94704,
      warnings: [
        "GPU compute time is unstable, with coefficient of variance = 2.98877%. If not already in use, locking GPU clock frequency or adding --useSpinWait may improve the stability.",
      ],
    });
  });

  it("builds arguments from the options, never a shell string", () => {
    expect(trtexecArgs({ modelPath: "/m/a.onnx", kind: "onnx", precision: "int8", shapes: "images:4x3x640x640", durationSeconds: 5 })).toEqual([
      "--onnx=/m/a.onnx",
      "--int8",
      "--shapes=images:4x3x640x640",
      "--duration=5",
    ]);
    expect(trtexecArgs({ modelPath: "/m/a.engine", kind: "engine", precision: "fp32", batch: 8, durationSeconds: 3 })).toEqual([
      "--loadEngine=/m/a.engine",
      "--batch=8",
      "--duration=3",
    ]);
  });
});
