#!/usr/bin/env node
// Stand-in for jetson_clocks: --show; no option locks CPU and GPU clocks at their current max;
// --store FILE and --restore FILE save and bring back the clock limits (FILE is a machine path, under the
// board's root; a missing folder fails as the real script's redirection does). As L4T's script does, --store
// over an existing file asks on standard input whether to overwrite it and fails unless told y or Y.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpuDir, formatCpuList, writeFreqLimit } from "../lib/jetson-sim/kernel.mjs";
import { currentMode, refresh } from "../lib/jetson-sim/machine.mjs";
import { parseConf } from "../lib/jetson-sim/nvpmodel-conf.mjs";
import { readCpus, readEmc, readGpu } from "../lib/jetson-sim/readings.mjs";
import { firstLine, loadSpec, loadState, onHost, readNumber, readText, resolveMachinePath, saveState, startProgram } from "../lib/jetson-sim/runtime.mjs";

const USAGE = `usage:

jetson_clocks [options]

  options,
  --show             display current settings
  --store [file]     store current settings to a file (default: \${HOME}/l4t_dfs.conf)
  --restore [file]   restore saved settings from a file (default: \${HOME}/l4t_dfs.conf)
  run jetson_clocks without any option to set static max frequency to CPU, GPU and EMC clocks.
`;

const { root, args } = startProgram(import.meta.url, "jetson_clocks");
const spec = loadSpec(root);
const [option, file = `${process.env.HOME ?? ""}/l4t_dfs.conf`] = args;

if (args.length === 0) lock();
else if (option === "--show" && args.length === 1) show();
else if (option === "--store" && args.length <= 2) await store(file);
else if (option === "--restore" && args.length <= 2) restore(file);
else if ((option === "-h" || option === "--help") && args.length === 1) process.stdout.write(USAGE);
else {
  process.stderr.write(USAGE);
  process.exitCode = 1;
}

function lock() {
  const { board, layout } = spec;
  for (const cpu of readCpus(root, layout).filter((c) => c.online)) {
    writeFreqLimit(root, board, `${cpuDir(cpu.cpu)}/cpufreq/scaling_min_freq`, cpu.maxKHz);
  }
  writeFreqLimit(root, board, `${layout.gpu.devfreqDir}/min_freq`, readGpu(root, layout).maxHz);
  saveState(root, { ...loadState(root), clocksLocked: true });
  refresh(root);
}

function show() {
  refresh(root);
  const { board, generation, layout } = spec;
  const format = generation.jetsonClocks;
  const state = loadState(root);
  const cpus = readCpus(root, layout);
  // The tool walks /sys/devices/system/cpu/cpu*, so cpu10 comes before cpu2.
  const listed = [...cpus].sort((a, b) => (`cpu${a.cpu}` < `cpu${b.cpu}` ? -1 : 1));
  // jetson_clocks disables the idle states while clocks are locked.
  const idle = `IdleStates: ${state.clocksLocked ? "WFI=0 c7=0" : "WFI=1 c7=1"}${format.idleTrailingSpace ? " " : ""}`;
  const gpu = readGpu(root, layout);
  const emc = readEmc(root, spec, state);
  const mode = parseConf(readText(root, "/etc/nvpmodel.conf")).models.find((m) => m.id === currentMode(root));
  const lines = [
    `SOC family:${board.compatible.at(-1).replace(/^nvidia,/, "")}  Machine:${board.model}`,
    `Online CPUs: ${formatCpuList(cpus.filter((c) => c.online).map((c) => c.cpu))}`,
    ...listed.map(
      (c) =>
        `${`cpu${c.cpu}:`.padEnd(format.cpuLabelWidth)}${format.onlinePerCpu ? ` Online=${c.online ? 1 : 0}` : ""} Governor=${c.governor} ` +
        `MinFreq=${c.minKHz} MaxFreq=${c.maxKHz} CurrentFreq=${c.curKHz} ${idle}`,
    ),
    `GPU MinFreq=${gpu.minHz} MaxFreq=${gpu.maxHz} CurrentFreq=${gpu.curHz}`,
    ...(format.tpcLine && layout.gpu.tpcMaskFile ? [`Active GPU TPCs: ${activeTpcs(board, layout)}`] : []),
    `EMC MinFreq=${emc.minHz} MaxFreq=${emc.maxHz} CurrentFreq=${emc.curHz} FreqOverride=${state.clocksLocked ? 1 : 0}`,
    ...board.jetsonClocksEngines,
    format.fanLine.replace("{pwm}", String(readNumber(root, layout.fan.pwmFile))),
    `NV Power Mode: ${mode.name}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

function activeTpcs(board, layout) {
  const mask = readNumber(root, layout.gpu.tpcMaskFile);
  let gated = 0;
  for (let tpc = 0; tpc < board.gpu.tpcs; tpc++) gated += (mask >> tpc) & 1;
  return board.gpu.tpcs - gated;
}

// The clock limits --store saves and --restore accepts: "path:value" lines as in l4t_dfs.conf.
// Each max comes before its min, so restoring in file order never makes a min exceed its max.
function limitFiles() {
  const cpuFiles = readCpus(root, spec.layout).flatMap(({ cpu }) =>
    ["scaling_max_freq", "scaling_min_freq"].map((limit) => `${cpuDir(cpu)}/cpufreq/${limit}`),
  );
  return [...cpuFiles, `${spec.layout.gpu.devfreqDir}/max_freq`, `${spec.layout.gpu.devfreqDir}/min_freq`];
}

async function store(target) {
  const onDisk = onHost(root, resolveMachinePath(target));
  if (existsSync(onDisk)) {
    process.stdout.write(`File ${target} already exists. Can I overwrite it? Y/N:\n`);
    const answer = await firstLine(process.stdin);
    if (answer !== "y" && answer !== "Y") {
      process.stdout.write(`Error: file ${target} already exists!\n`);
      process.exitCode = 1;
      return;
    }
  }
  try {
    writeFileSync(onDisk, limitFiles().map((path) => `${path}:${readNumber(root, path)}\n`).join(""));
  } catch {
    process.stderr.write(`/usr/bin/jetson_clocks: ${target}: No such file or directory\n`);
    process.exitCode = 1;
  }
}

function restore(source) {
  let text;
  try {
    text = readFileSync(onHost(root, resolveMachinePath(source)), "utf8");
  } catch {
    process.stderr.write(`Error: file ${source} doesn't exist!\n`);
    process.exitCode = 1;
    return;
  }
  const known = new Set(limitFiles());
  for (const line of text.split("\n").filter(Boolean)) {
    const at = line.lastIndexOf(":");
    const path = line.slice(0, at);
    if (!known.has(path)) continue; // only clock limits, never an arbitrary file under the root
    writeFreqLimit(root, spec.board, path, Number(line.slice(at + 1)));
  }
  saveState(root, { ...loadState(root), clocksLocked: false });
  refresh(root);
}

