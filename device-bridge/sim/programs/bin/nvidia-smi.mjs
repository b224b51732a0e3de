#!/usr/bin/env node
// Stand-in for nvidia-smi on a Jetson whose GPU runs under the open RM driver (Thor):
// --query-gpu=FIELDS --format=csv[,noheader][,nounits]. NVML knows the GPU's utilisation; the
// integrated GPU shares system memory and has no power or temperature sensor of its own, so those
// read [N/A] as nvidia-smi prints them.
import { refresh } from "../lib/jetson-sim/machine.mjs";
import { fail, loadSpec, readNumber, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "nvidia-smi");
const { layout } = loadSpec(root);
const option = (name) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const fields = option("query-gpu")?.split(",");
const format = option("format")?.split(",");
if (!fields || !format || !format.includes("csv") || args.length !== 2) {
  fail("This stand-in answers only: nvidia-smi --query-gpu=FIELDS --format=csv[,noheader][,nounits]", 2);
}

try {
  refresh(root);
} catch (error) {
  if (error.code !== "EACCES" && error.code !== "EPERM") throw error;
}
const units = !format.includes("nounits");
const VALUES = {
  index: () => "0",
  name: () => "NVIDIA Thor",
  "temperature.gpu": () => "[N/A]",
  "memory.used": () => "[N/A]",
  "memory.total": () => "[N/A]",
  "utilization.gpu": () => `${Math.round(readNumber(root, layout.gpu.loadFile) / 10)}${units ? " %" : ""}`,
  "power.draw": () => "[N/A]",
};
const HEADERS = {
  "utilization.gpu": "utilization.gpu [%]",
  "memory.used": "memory.used [MiB]",
  "memory.total": "memory.total [MiB]",
  "power.draw": "power.draw [W]",
};
const unknown = fields.find((field) => !Object.hasOwn(VALUES, field));
if (unknown !== undefined) fail(`Field "${unknown}" is not a valid field to query.`, 2);
if (!format.includes("noheader")) process.stdout.write(`${fields.map((f) => (units ? (HEADERS[f] ?? f) : f)).join(", ")}\n`);
process.stdout.write(`${fields.map((field) => VALUES[field]()).join(", ")}\n`);
