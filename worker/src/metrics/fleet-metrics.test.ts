import type { DeviceSummary } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { exposition } from "./exposition.js";
import { fleetMetrics, tagsLabel } from "./fleet-metrics.js";

const NOW = 1_800_000_000_000;

const orin: DeviceSummary = {
  id: "camera-7",
  fleet: "f",
  online: true,
  lastSeen: NOW - 2_500,
  tags: ["warehouse", "lab"],
  state: {
    hostname: "cam7",
    board: "NVIDIA Jetson AGX Orin Developer Kit",
    soc: "tegra234",
    l4t: "36.4.3",
    jetpack: "6.2",
    bridgeVersion: "0.1.0",
    powerMode: { id: 0, name: "MAXN" },
    capabilities: [],
  },
  alerts: [
    { kind: "temperature", since: NOW - 60_000, value: 99, message: "hot" },
    { kind: "disk", since: NOW - 90_000, clearedAt: NOW - 30_000, value: 91, message: "full" },
  ],
  latest: {
    t: NOW - 3_000,
    hottestC: 99,
    cpuLoadPct: 12.3,
    gpuLoadPct: 99,
    emcLoadPct: 7,
    ramUsedPct: 25,
    powerMW: 15_012,
    diskUsedPct: 50,
    tempsC: { cpu: 98.5, 'odd "zone"\\': 99 },
    railsMW: { VDD_GPU_SOC: 6_000, VDD_CPU_CV: 2_500 },
    engines: { NVENC: { online: true, loadPct: 40 }, NVDEC: { online: false } },
    ram: { usedMB: 2_048, totalMB: 8_192 },
    swap: { usedMB: 0, totalMB: 3_984 },
    disk: { usedMB: 20_000, totalMB: 40_000 },
    fan: { pwmPct: 100, rpm: 4_800 },
  },
};

const offline: DeviceSummary = {
  id: "nano-1",
  fleet: "f",
  online: false,
  lastSeen: NOW - 600_000,
  state: { hostname: "nano", board: "NVIDIA Jetson Nano", jetpack: "4.6", bridgeVersion: "0.1.0", capabilities: [] },
  latest: { t: NOW - 600_000, hottestC: 40, powerMW: 5_000, tempsC: { cpu: 40 } },
};

const lines = (devices: DeviceSummary[]) => [...exposition(fleetMetrics(devices, NOW), "openmetrics")].join("").split("\n");
const samplesOf = (output: string[], name: string) => output.filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
const ORIN_LABELS = 'device="camera-7",board="NVIDIA Jetson AGX Orin Developer Kit",jetpack="6.2",tags=",lab,warehouse,"';

describe("fleetMetrics", () => {
  const output = lines([orin, offline]);

  it("labels every series of a device with its id, board, JetPack and sorted tags", () => {
    expect(samplesOf(output, "jetson_temperature_celsius")).toEqual([
      `jetson_temperature_celsius{${ORIN_LABELS},zone="cpu"} 98.5`,
      `jetson_temperature_celsius{${ORIN_LABELS},zone="odd \\"zone\\"\\\\"} 99`,
    ]);
  });

  it("states figures in base units: watts, ratios from 0 to 1, bytes, seconds", () => {
    expect(samplesOf(output, "jetson_power_watts")).toEqual([
      `jetson_power_watts{${ORIN_LABELS},rail="VDD_GPU_SOC"} 6`,
      `jetson_power_watts{${ORIN_LABELS},rail="VDD_CPU_CV"} 2.5`,
    ]);
    expect(samplesOf(output, "jetson_power_total_watts")).toEqual([`jetson_power_total_watts{${ORIN_LABELS}} 15.012`]);
    expect(samplesOf(output, "jetson_cpu_load_ratio")).toEqual([`jetson_cpu_load_ratio{${ORIN_LABELS}} 0.123`]);
    expect(samplesOf(output, "jetson_emc_load_ratio")).toEqual([`jetson_emc_load_ratio{${ORIN_LABELS}} 0.07`]);
    expect(samplesOf(output, "jetson_engine_load_ratio")).toEqual([`jetson_engine_load_ratio{${ORIN_LABELS},engine="NVENC"} 0.4`]);
    expect(samplesOf(output, "jetson_engine_online")).toEqual([
      `jetson_engine_online{${ORIN_LABELS},engine="NVENC"} 1`,
      `jetson_engine_online{${ORIN_LABELS},engine="NVDEC"} 0`,
    ]);
    expect(samplesOf(output, "jetson_memory_total_bytes")).toEqual([`jetson_memory_total_bytes{${ORIN_LABELS}} ${8 * 1024 ** 3}`]);
    expect(samplesOf(output, "jetson_fan_pwm_ratio")).toEqual([`jetson_fan_pwm_ratio{${ORIN_LABELS}} 1`]);
    expect(samplesOf(output, "jetson_fan_speed_rpm")).toEqual([`jetson_fan_speed_rpm{${ORIN_LABELS}} 4800`]);
    expect(samplesOf(output, "jetson_telemetry_timestamp_seconds")).toEqual([`jetson_telemetry_timestamp_seconds{${ORIN_LABELS}} ${(NOW - 3_000) / 1000}`]);
  });

  it("gives an offline device's presence, last-seen age and alerts but not its stale figures", () => {
    expect(samplesOf(output, "jetson_device_online")).toContain('jetson_device_online{device="nano-1",board="NVIDIA Jetson Nano",jetpack="4.6",tags=""} 0');
    expect(samplesOf(output, "jetson_device_last_seen_age_seconds")).toContain(
      'jetson_device_last_seen_age_seconds{device="nano-1",board="NVIDIA Jetson Nano",jetpack="4.6",tags=""} 600',
    );
    expect(output.filter((line) => line.includes('device="nano-1"') && /^jetson_(temperature|power|telemetry)/.test(line))).toEqual([]);
  });

  it("counts active alerts by kind, cleared ones not", () => {
    expect(samplesOf(output, "jetson_alerts_active").filter((line) => line.includes("camera-7"))).toEqual([
      `jetson_alerts_active{${ORIN_LABELS},kind="temperature"} 1`,
      `jetson_alerts_active{${ORIN_LABELS},kind="throttling"} 0`,
      `jetson_alerts_active{${ORIN_LABELS},kind="power"} 0`,
      `jetson_alerts_active{${ORIN_LABELS},kind="disk"} 0`,
      `jetson_alerts_active{${ORIN_LABELS},kind="offline"} 0`,
    ]);
  });

  it("names the power mode and the device's versions in info metrics", () => {
    expect(samplesOf(output, "jetson_power_mode_info")).toEqual([`jetson_power_mode_info{${ORIN_LABELS},mode="MAXN",mode_id="0"} 1`]);
    expect(samplesOf(output, "jetson_device_info")).toContain(
      `jetson_device_info{${ORIN_LABELS},hostname="cam7",soc="tegra234",l4t="36.4.3",bridge_version="0.1.0"} 1`,
    );
  });

  it("totals the fleet: devices, online, power of the online ones", () => {
    expect(samplesOf(output, "jetson_fleet_devices")).toEqual(["jetson_fleet_devices 2"]);
    expect(samplesOf(output, "jetson_fleet_devices_online")).toEqual(["jetson_fleet_devices_online 1"]);
    expect(samplesOf(output, "jetson_fleet_power_watts")).toEqual(["jetson_fleet_power_watts 15.012"]);
  });

  it("writes each family once and no series twice", () => {
    const families = output.filter((line) => line.startsWith("# TYPE ")).map((line) => line.split(" ")[2]);
    expect(new Set(families).size).toBe(families.length);
    const series = output.filter((line) => line !== "" && !line.startsWith("#")).map((line) => line.slice(0, line.lastIndexOf(" ")));
    expect(new Set(series).size).toBe(series.length);
  });
});

describe("tagsLabel", () => {
  it("sorts and comma-joins tags with a comma at each end, so one tag matches exactly", () => {
    expect(tagsLabel(["b", "a.c"])).toBe(",a.c,b,");
    expect(tagsLabel([])).toBe("");
    expect(tagsLabel(undefined)).toBe("");
  });
});
