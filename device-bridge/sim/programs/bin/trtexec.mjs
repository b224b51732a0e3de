#!/usr/bin/env node
// Stand-in for TensorRT's trtexec (/usr/src/tensorrt/bin/trtexec on a Jetson): --onnx=FILE or
// --loadEngine=FILE, --fp16/--int8/--best, --shapes=, --batch=, --duration=, --warmUp=, --iterations=.
// It runs nothing: it makes up timings from the model's size, the board's GPU and the precision, then
// prints them as trtexec's samples/common/sampleReporting.cpp does, through the same logger (info lines
// to stdout with a "[MM/DD/YYYY-HH:MM:SS] [I] " prefix, warnings and errors to stderr, "&&&&" lines bare).
// TensorRT 8.2 (JetPack 4.6) prints one percentile and an End-to-End Host Latency line; 8.4 and later
// print percentiles 90, 95 and 99 and drop that line. TensorRT 10 no longer knows --batch.
import { existsSync, statSync } from "node:fs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "trtexec");
const { board } = loadSpec(root);

// TensorRT shipped with each JetPack release the simulated boards run (NV_TENSORRT_VERSION encoding:
// major*1000+minor*100+patch up to 8.x, major*10000+minor*100+patch from 10.0).
const TENSORRT = [
  { jetpack: /^4\./, version: "8.2.1", code: "8201" },
  { jetpack: /^5\./, version: "8.5.2", code: "8502" },
  { jetpack: /^6\.0/, version: "8.6.2", code: "8602" },
  { jetpack: /^6\./, version: "10.3.0", code: "100300" },
];
// Per SoC: what trtexec's "=== Device Information ===" says, and SMs x GHz for the made-up speed.
const DEVICES = {
  "nvidia,tegra210": { name: "NVIDIA Tegra X1", capability: "5.3", sms: 1 },
  "nvidia,tegra194": { name: "Xavier", capability: "7.2", sms: 6 },
  "nvidia,tegra234": { name: "Orin", capability: "8.7", sms: 0 },
};
const PRECISION_SPEEDUP = { fp32: 1, fp16: 0.55, int8: 0.35, best: 0.33 };

const trt = TENSORRT.find((t) => t.jetpack.test(board.jetpack)) ?? TENSORRT[TENSORRT.length - 1];
const modern = trt.version !== "8.2.1";
const commandLine = ["trtexec", ...args].join(" ");
const stamp = () => {
  const d = new Date();
  const two = (n) => String(n).padStart(2, "0");
  return `[${two(d.getMonth() + 1)}/${two(d.getDate())}/${d.getFullYear()}-${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}]`;
};
const info = (text = "") => process.stdout.write(`${stamp()} [I] ${text}\n`);
const warn = (text) => process.stderr.write(`${stamp()} [W] ${text}\n`);
const error = (text) => process.stderr.write(`${stamp()} [E] ${text}\n`);
const testName = `TensorRT.trtexec [TensorRT v${trt.code}]`;

process.stdout.write(`&&&& RUNNING ${testName} # ${commandLine}\n`);
const options = parseOptions(args);
if (!options) fail();
else process.exitCode = run(options);

function parseOptions(list) {
  const o = { precision: "fp32", duration: 3, warmUp: 200, iterations: 10, batch: 0 };
  for (const arg of list) {
    const [key, value] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (key === "--onnx") o.onnx = value;
    else if (key === "--loadEngine") o.engine = value;
    else if (key === "--fp16" || key === "--int8" || key === "--best") o.precision = key.slice(2);
    else if (key === "--shapes") o.shapes = value;
    else if (key === "--batch" && trt.code !== "100300") o.batch = Number(value);
    else if (key === "--duration") o.duration = Number(value);
    else if (key === "--warmUp") o.warmUp = Number(value);
    else if (key === "--iterations") o.iterations = Number(value);
    else {
      error(`Unknown option: ${arg}`);
      return undefined;
    }
  }
  if (!o.onnx && !o.engine) {
    error("Model missing or format not recognized");
    return undefined;
  }
  return o;
}

function fail() {
  process.stdout.write(`&&&& FAILED ${testName} # ${commandLine}\n`);
  process.exitCode = 1;
}

function run(o) {
  const file = o.onnx ?? o.engine;
  info("=== Model Options ===");
  info(`Format: ${o.onnx ? "ONNX" : "*"}`);
  info(`Model: ${o.onnx ?? ""}`);
  info("Output:");
  info("=== Build Options ===");
  info(`Max batch: ${o.batch ? o.batch : "explicit batch"}`);
  info(`Precision: FP32${o.precision === "fp16" ? "+FP16" : o.precision === "int8" ? "+INT8" : o.precision === "best" ? "+FP16+INT8" : ""}`);
  info("=== Inference Options ===");
  info(`Batch: ${o.batch ? o.batch : "Explicit"}`);
  info(`Input inference shapes: ${o.shapes ?? "model"}`);
  info(`Iterations: ${o.iterations}`);
  info(`Duration: ${o.duration}s (+ ${o.warmUp}ms warm up)`);
  info("=== Device Information ===");
  const soc = board.compatible[board.compatible.length - 1];
  const device = DEVICES[soc] ?? DEVICES["nvidia,tegra234"];
  const sms = device.sms || (board.gpu.tpcs ?? 1) * 2;
  const ghz = Math.max(...board.gpu.freqsHz) / 1e9;
  info(`Selected Device: ${device.name}`);
  info(`Compute Capability: ${device.capability}`);
  info(`SMs: ${sms}`);
  info(`Compute Clock Rate: ${fmt(ghz)} GHz`);
  info(`Device Global Memory: ${Math.round(board.memTotalKB / 1024)} MiB`);
  info();
  if (modern) info(`TensorRT version: ${trt.version}`);

  if (!existsSync(file) || !statSync(file).isFile() || statSync(file).size === 0) {
    if (o.onnx) {
      info("Start parsing network model");
      error(`[TRT] ModelImporter.cpp:688: Failed to parse ONNX model from file: ${file}`);
      error("Failed to parse onnx file");
      error("Parsing model failed");
    } else {
      error(`Error opening engine file: ${file}`);
    }
    error("Failed to create engine from model or file.");
    error("Engine set up failed");
    fail();
    return 1;
  }
  const megabytes = statSync(file).size / (1024 * 1024);
  if (o.onnx) {
    info("Start parsing network model");
    info("[TRT] ----------------------------------------------------------------");
    info(`[TRT] Input filename:   ${file}`);
    info("[TRT] ONNX IR version:  0.0.8");
    info("[TRT] Opset version:    17");
    info("[TRT] ----------------------------------------------------------------");
    info("Finish parsing network model");
    info(`Engine built in ${fmt(20 + megabytes * 1.5)} sec.`);
  } else {
    info(`Engine loaded in ${fmt(0.02 + megabytes / 800)} sec.`);
  }
  info(`[TRT] Loaded engine size: ${Math.max(1, Math.round(megabytes))} MiB`);
  info(`Engine deserialized in ${fmt(0.01 + megabytes / 1000)} sec.`);
  info("Starting inference");

  // Made-up timings: work grows with the model and the batch, shrinks with precision and GPU size.
  const batch = o.batch || 1;
  const computeMs = (0.4 + megabytes * 0.04) * PRECISION_SPEEDUP[o.precision] * batch * (20.8 / (sms * ghz));
  const random = mulberry32(Math.round(megabytes * 1000) + batch);
  const jitter = () => 1 + Math.abs(gaussian(random)) * 0.02 + (random() < 0.01 ? 0.3 : 0);
  // Like trtexec: query after query until the duration has passed and at least `iterations` ran.
  const timings = [];
  let walltimeMs = 0;
  while ((walltimeMs < o.duration * 1000 || timings.length < o.iterations) && timings.length < 20_000) {
    const h2d = (0.02 + megabytes * 0.0005) * jitter();
    const compute = computeMs * jitter();
    const d2h = 0.008 * jitter();
    const enq = 0.25 * jitter();
    timings.push({ enq, h2d, compute, d2h, latency: h2d + compute + d2h, e2e: (h2d + compute + d2h) * 1.9 });
    walltimeMs += Math.max(compute, enq) + 0.05;
  }
  const queries = timings.length;
  info(`Warmup completed ${Math.ceil(o.warmUp / computeMs) * batch} queries over ${o.warmUp} ms`);
  info(`Timing trace has ${queries * batch} queries over ${fmt(walltimeMs / 1000)} s`);
  info();
  info("=== Trace details ===");
  info("Trace averages of 10 runs:");
  for (let i = 0; i + 10 <= queries; i += 10) {
    const group = timings.slice(i, i + 10);
    const mean = (key) => group.reduce((sum, t) => sum + t[key], 0) / 10;
    info(
      modern
        ? `Average on 10 runs - GPU latency: ${fmt(mean("compute"))} ms - Host latency: ${fmt(mean("latency"))} ms (enqueue ${fmt(mean("enq"))} ms)`
        : `Average on 10 runs - GPU latency: ${fmt(mean("compute"))} ms - Host latency: ${fmt(mean("latency"))} ms (end to end ${fmt(mean("e2e"))} ms, enqueue ${fmt(mean("enq"))} ms)`,
    );
  }
  const percentiles = modern ? [90, 95, 99] : [99];
  const perf = (key) => {
    const sorted = timings.map((t) => t[key]).sort((a, b) => a - b);
    const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
    const m = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    // findPercentile: exclude the top (1 - p/100) share, take the largest of the rest.
    const pct = percentiles.map((p) => sorted[Math.max(sorted.length - 1 - Math.floor((1 - p / 100) * sorted.length), 0)]);
    const text = `min = ${fmt(sorted[0])} ms, max = ${fmt(sorted[sorted.length - 1])} ms, mean = ${fmt(mean)} ms, median = ${fmt(median)} ms`;
    return { median, mean, sorted, text: text + percentiles.map((p, i) => `, percentile(${p}%) = ${fmt(pct[i])} ms`).join("") };
  };
  info();
  info("=== Performance summary ===");
  info(`Throughput: ${fmt((batch * queries) / (walltimeMs / 1000))} qps`);
  info(`Latency: ${perf("latency").text}`);
  if (!modern) info(`End-to-End Host Latency: ${perf("e2e").text}`);
  const enqueue = perf("enq");
  const compute = perf("compute");
  info(`Enqueue Time: ${enqueue.text}`);
  info(`H2D Latency: ${perf("h2d").text}`);
  info(`GPU Compute Time: ${compute.text}`);
  info(`D2H Latency: ${perf("d2h").text}`);
  info(`Total Host Walltime: ${fmt(walltimeMs / 1000)} s`);
  info(`Total GPU Compute Time: ${fmt((compute.mean * queries) / 1000)} s`);
  if (enqueue.median > 0.8 * compute.median) {
    warn("* Throughput may be bound by Enqueue Time rather than GPU Compute and the GPU may be under-utilized.");
    warn("  If not already in use, --useCudaGraph (utilize CUDA graphs where possible) may increase the throughput.");
  }
  const variance = compute.sorted.reduce((sum, v) => sum + (v - compute.mean) ** 2, 0) / queries;
  const coeffVar = (Math.sqrt(variance) / compute.mean) * 100;
  if (modern && coeffVar > 1) {
    warn(`* GPU compute time is unstable, with coefficient of variance = ${fmt(coeffVar)}%.`);
    warn("  If not already in use, locking GPU clock frequency or adding --useSpinWait may improve the stability.");
  }
  info("Explanations of the performance metrics are printed in the verbose logs.");
  info();
  process.stdout.write(`&&&& PASSED ${testName} # ${commandLine}\n`);
  return 0;
}

/** A float as C++ streams print it by default (%g with 6 significant digits). */
function fmt(value) {
  if (value === 0) return "0";
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 6) {
    const [mantissa, exp] = value.toExponential(5).split("e");
    const sign = exp.startsWith("-") ? "-" : "+";
    return `${trimZeros(mantissa)}e${sign}${exp.replace(/^[+-]/, "").padStart(2, "0")}`;
  }
  return trimZeros(value.toFixed(Math.max(0, 5 - exponent)));
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random) {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
