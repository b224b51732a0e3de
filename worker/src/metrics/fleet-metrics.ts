import { AlertKindSchema, type DeviceSummary, type LatestTelemetry } from "@jetson/protocol";
import type { MetricFamily, MetricSample } from "./exposition.js";

/** Extra labels of one series and its value; undefined values are left out. */
type Reading = ReadonlyArray<readonly [Record<string, string>, number | undefined]>;

interface FamilySpec {
  name: string;
  type?: "info";
  unit?: string;
  help: string;
}

const MIB = 1024 * 1024;
/** Scaling (percent to ratio, mW to W, MiB to bytes) without float noise such as 0.12300000000000001. */
const scaled = (value: number | undefined, factor: number) => (value === undefined ? undefined : Number((value * factor).toPrecision(12)));
const one = (value: number | undefined): Reading => [[{}, value]];
const each = (label: string, table: Record<string, number> | undefined, factor = 1): Reading =>
  Object.entries(table ?? {}).map(([key, value]) => [{ [label]: key }, scaled(value, factor)]);

const FRESHNESS = "From the device's summary in the fleet registry, refreshed at most about once a minute when only figures change.";

/** Per device, whether online or not. */
const DEVICE_FAMILIES: ReadonlyArray<FamilySpec & { read: (device: DeviceSummary, now: number) => Reading }> = [
  { name: "jetson_device_online", help: "1 while the device's link to the cloud is up, else 0.", read: (d) => one(d.online ? 1 : 0) },
  {
    name: "jetson_device_last_seen_age_seconds",
    unit: "seconds",
    help: "Seconds since the last packet from the device, as of the fleet registry's summary.",
    read: (d, now) => one(d.lastSeen === undefined ? undefined : Math.max(0, now - d.lastSeen) / 1000),
  },
  {
    name: "jetson_device",
    type: "info",
    help: "What the device last reported about itself.",
    read: (d) =>
      d.state
        ? [[{ hostname: d.state.hostname, soc: d.state.soc ?? "", l4t: d.state.l4t ?? "", bridge_version: d.state.bridgeVersion }, 1]]
        : [],
  },
  {
    name: "jetson_power_mode",
    type: "info",
    help: "The active nvpmodel power mode, by name and id.",
    read: (d) => (d.state?.powerMode ? [[{ mode: d.state.powerMode.name, mode_id: String(d.state.powerMode.id) }, 1]] : []),
  },
  {
    name: "jetson_alerts_active",
    help: "Active alerts by kind (alerts have a kind, not a severity).",
    read: (d) => AlertKindSchema.options.map((kind) => [{ kind }, (d.alerts ?? []).filter((a) => a.kind === kind && a.clearedAt === undefined).length]),
  },
];

/** Per online device, from its newest sample: an offline device's figures are left out, so its series go stale rather than look current. */
const FIGURE_FAMILIES: ReadonlyArray<FamilySpec & { read: (latest: LatestTelemetry) => Reading }> = [
  { name: "jetson_telemetry_timestamp_seconds", unit: "seconds", help: `When the sample the figures come from was taken. ${FRESHNESS}`, read: (l) => one(l.t / 1000) },
  { name: "jetson_temperature_celsius", unit: "celsius", help: `Temperature by thermal zone. ${FRESHNESS}`, read: (l) => each("zone", l.tempsC) },
  { name: "jetson_power_watts", unit: "watts", help: `Power by rail. ${FRESHNESS}`, read: (l) => each("rail", l.railsMW, 1e-3) },
  { name: "jetson_power_total_watts", unit: "watts", help: `Total board power. ${FRESHNESS}`, read: (l) => one(scaled(l.powerMW, 1e-3)) },
  { name: "jetson_cpu_load_ratio", unit: "ratio", help: `CPU load, mean of the online cores, 0 to 1. ${FRESHNESS}`, read: (l) => one(scaled(l.cpuLoadPct, 0.01)) },
  { name: "jetson_gpu_load_ratio", unit: "ratio", help: `GPU load, 0 to 1. ${FRESHNESS}`, read: (l) => one(scaled(l.gpuLoadPct, 0.01)) },
  { name: "jetson_emc_load_ratio", unit: "ratio", help: `External memory controller load, 0 to 1. ${FRESHNESS}`, read: (l) => one(scaled(l.emcLoadPct, 0.01)) },
  {
    name: "jetson_engine_load_ratio",
    unit: "ratio",
    help: `Hardware engine load (NVENC, NVDEC, VIC, ...), 0 to 1, where the board reports it. ${FRESHNESS}`,
    read: (l) => Object.entries(l.engines ?? {}).map(([engine, { loadPct }]) => [{ engine }, scaled(loadPct, 0.01)]),
  },
  {
    name: "jetson_engine_online",
    help: `1 while a hardware engine's clock is on, else 0. ${FRESHNESS}`,
    read: (l) => Object.entries(l.engines ?? {}).map(([engine, { online }]) => [{ engine }, online ? 1 : 0]),
  },
  { name: "jetson_memory_used_bytes", unit: "bytes", help: `RAM in use. ${FRESHNESS}`, read: (l) => one(scaled(l.ram?.usedMB, MIB)) },
  { name: "jetson_memory_total_bytes", unit: "bytes", help: `RAM in all. ${FRESHNESS}`, read: (l) => one(scaled(l.ram?.totalMB, MIB)) },
  { name: "jetson_swap_used_bytes", unit: "bytes", help: `Swap in use. ${FRESHNESS}`, read: (l) => one(scaled(l.swap?.usedMB, MIB)) },
  { name: "jetson_swap_total_bytes", unit: "bytes", help: `Swap in all. ${FRESHNESS}`, read: (l) => one(scaled(l.swap?.totalMB, MIB)) },
  { name: "jetson_disk_used_bytes", unit: "bytes", help: `Root filesystem in use. ${FRESHNESS}`, read: (l) => one(scaled(l.disk?.usedMB, MIB)) },
  { name: "jetson_disk_total_bytes", unit: "bytes", help: `Root filesystem size. ${FRESHNESS}`, read: (l) => one(scaled(l.disk?.totalMB, MIB)) },
  { name: "jetson_fan_pwm_ratio", unit: "ratio", help: `Fan drive (PWM duty), 0 to 1. ${FRESHNESS}`, read: (l) => one(scaled(l.fan?.pwmPct, 0.01)) },
  { name: "jetson_fan_speed_rpm", unit: "rpm", help: `Fan speed, where the board has a tachometer. ${FRESHNESS}`, read: (l) => one(l.fan?.rpm) },
];

const onlinePowerWatts = (devices: readonly DeviceSummary[]) =>
  scaled(devices.reduce((sum, d) => sum + (d.online ? (d.latest?.powerMW ?? 0) : 0), 0), 1e-3);

const FLEET_FAMILIES: ReadonlyArray<FamilySpec & { read: (devices: readonly DeviceSummary[]) => number | undefined }> = [
  { name: "jetson_fleet_devices", help: "Devices in the fleet.", read: (devices) => devices.length },
  { name: "jetson_fleet_devices_online", help: "Devices whose link is up.", read: (devices) => devices.filter((d) => d.online).length },
  { name: "jetson_fleet_power_watts", unit: "watts", help: `Total power of the online devices. ${FRESHNESS}`, read: onlinePowerWatts },
];

/**
 * Tags as one label, sorted and comma-joined with a comma at each end (`,lab,warehouse,`), so that
 * `tags=~".*,warehouse,.*"` matches one tag exactly; a label per tag would make names from values and change the label set.
 */
export const tagsLabel = (tags: readonly string[] | undefined) => (tags && tags.length > 0 ? `,${[...tags].sort().join(",")},` : "");

const deviceLabels = (d: DeviceSummary): Record<string, string> => ({
  device: d.id,
  board: d.state?.board ?? "",
  jetpack: d.state?.jetpack ?? "",
  tags: tagsLabel(d.tags),
});

/** Each device with its labels, worked out once per scrape rather than once per series. */
type Labelled = ReadonlyArray<readonly [DeviceSummary, Record<string, string>]>;

function* samplesOf(devices: Labelled, read: (device: DeviceSummary) => Reading): Generator<MetricSample> {
  for (const [device, common] of devices) {
    for (const [labels, value] of read(device)) {
      if (value !== undefined) yield { labels: { ...common, ...labels }, value };
    }
  }
}

const family = ({ name, type, unit, help }: FamilySpec, samples: Iterable<MetricSample>): MetricFamily => ({ name, type: type ?? "gauge", unit, help, samples });

/** The fleet's metric families from its devices' summaries at `now` (epoch ms); samples are produced as they are written. */
export function fleetMetrics(devices: readonly DeviceSummary[], now: number): MetricFamily[] {
  const labelled: Labelled = devices.map((d) => [d, deviceLabels(d)]);
  return [
    ...DEVICE_FAMILIES.map((spec) => family(spec, samplesOf(labelled, (d) => spec.read(d, now)))),
    ...FIGURE_FAMILIES.map((spec) => family(spec, samplesOf(labelled, (d) => (d.online && d.latest ? spec.read(d.latest) : [])))),
    ...FLEET_FAMILIES.map((spec) => family(spec, [{ labels: {}, value: spec.read(devices) ?? 0 }])),
  ];
}
