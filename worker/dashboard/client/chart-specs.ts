import type { ChartData } from "../../src/dashboard/chart-data.js";
import type { ChartSpec } from "./line-chart.js";

const members = (data: ChartData, family: string) =>
  Object.keys(data.series)
    .filter((metric) => metric.startsWith(`${family}.`))
    .sort();

const present = (data: ChartData, lines: Array<{ metric: string; label: string }>) => lines.filter((line) => line.metric in data.series);

/** The device view's charts: every temperature sensor, CPU and GPU load and clocks, the fan, memory, and power per rail with the total. */
export const CHARTS: ChartSpec[] = [
  {
    id: "temperatures",
    title: "Temperatures",
    unit: "°C",
    fromZero: false,
    lines: (data) => members(data, "temp").map((metric) => ({ metric, label: metric.slice("temp.".length) })),
  },
  {
    id: "load",
    title: "CPU and GPU load",
    unit: "%",
    fromZero: true,
    lines: (data) => present(data, [{ metric: "cpu.load", label: "CPU" }, { metric: "gpu.load", label: "GPU" }]),
  },
  {
    id: "clocks",
    title: "CPU and GPU clocks",
    unit: "MHz",
    fromZero: true,
    lines: (data) => present(data, [{ metric: "cpu.freqMHz", label: "CPU (fastest core)" }, { metric: "gpu.freqMHz", label: "GPU" }]),
  },
  {
    id: "fan",
    title: "Fan",
    unit: "%",
    fromZero: true,
    lines: (data) => present(data, [{ metric: "fan.pwmPct", label: "PWM" }]),
  },
  {
    id: "memory",
    title: "Memory used",
    unit: "%",
    fromZero: true,
    lines: (data) => present(data, [{ metric: "ram.usedPct", label: "RAM" }]),
  },
  {
    id: "power",
    title: "Power",
    unit: "W",
    divisor: 1000,
    fromZero: true,
    lines: (data) => [
      ...members(data, "power")
        .filter((metric) => metric !== "power.totalMW")
        .map((metric) => ({ metric, label: metric.slice("power.".length) })),
      ...present(data, [{ metric: "power.totalMW", label: "Total" }]),
    ],
  },
];
