// The simulated board's behaviour: power modes, and the sysfs and /proc values that follow
// from its load, power mode and clock limits. Stand-ins call refresh() before they read.
import { existsSync } from "node:fs";
import { bootAdmin, rebootAdmin } from "./admin.mjs";
import { parseConf } from "./nvpmodel-conf.mjs";
import { allCpus, CPU_ROOT, cpuDir, formatCpuList, isOnline, pickFrequency, writeFreqLimit } from "./kernel.mjs";
import { resetCounters, writeProcFiles } from "./procfs.mjs";
import { readEmc } from "./readings.mjs";
import {
  loadSpec,
  loadState,
  makeSimDirs,
  onHost,
  readList,
  readNumber,
  readText,
  saveState,
  writeNumber,
  writeText,
} from "./runtime.mjs";

// The INA3221 channels measure each rail on its 5 V input side.
const RAIL_MV = 5000;
const IDLE_LOAD = 5;
// A new simulated board has been up a while, so uptime and /proc/stat look lived-in.
const UPTIME_AT_START_MS = 3_600_000;

/** First start of a freshly built root: state, counters, then the default power mode. */
export function boot(root) {
  const { board, layout } = loadSpec(root);
  makeSimDirs(root, layout.statusFile);
  const bootedAt = Date.now() - UPTIME_AT_START_MS;
  saveState(root, { load: IDLE_LOAD, clocksLocked: false, pendingMode: null, bootedAt });
  resetCounters(root, layout.cpuCount, bootedAt);
  bootAdmin(root, bootedAt);
  applyPowerMode(root, board.defaultMode);
}

/** A reboot: a mode nvpmodel left pending takes effect, jetson_clocks' lock is gone, units start as enabled. */
export function reboot(root) {
  const state = loadState(root);
  const mode = state.pendingMode ?? currentMode(root);
  const bootedAt = Date.now();
  saveState(root, { ...state, pendingMode: null, bootedAt });
  resetCounters(root, loadSpec(root).layout.cpuCount, bootedAt);
  rebootAdmin(root, bootedAt);
  applyPowerMode(root, mode);
}

/** When the board last booted (ms since the epoch): a reboot moves it. */
export function bootedAt(root) {
  return loadState(root).bootedAt;
}

/** The simulated workload in percent, which clocks, temperatures, power and memory follow. */
export function setLoad(root, percent) {
  saveState(root, { ...loadState(root), load: percent });
  refresh(root);
}

/**
 * Load (percent) and the heat (m°C) every loaded zone carries on top of what the load makes: a hot
 * enclosure, a clogged heatsink, hours of sustained work. Zones that reach their passive trip point throttle.
 */
export function setConditions(root, { loadPct, heatMC }) {
  saveState(root, { ...loadState(root), load: loadPct, heatMC });
  refresh(root);
}

/** The fan's duty as its control (nvfancontrol, or pwm-fan's temp_control) sets it: 0-255. */
export function setFanPwm(root, pwm) {
  writeNumber(root, loadSpec(root).layout.fan.pwmFile, Math.round(Math.min(255, Math.max(0, pwm))));
  refresh(root);
}

/** The hottest sensor that follows load (placeholders and offline sensors left out), in m°C. */
export function hottestMC(root) {
  const { layout } = loadSpec(root);
  return Math.max(...layout.thermalZones.filter((z) => z.perLoadMC > 0).map((z) => readNumber(root, `${z.dir}/temp`)));
}

/** The active mode id from /var/lib/nvpmodel/status ("pmode:0002"). */
export function currentMode(root) {
  const status = readText(root, loadSpec(root).layout.statusFile);
  return Number(/pmode:(\d+)/.exec(status)?.[1]);
}

/**
 * Applies a power mode as nvpmodel does: each setting of its POWER_MODEL block is written
 * to the file its PARAM names (-1 meaning the top of the clock table). Clock locks are lost.
 */
export function applyPowerMode(root, id) {
  const { board, layout } = loadSpec(root);
  const conf = parseConf(readText(root, "/etc/nvpmodel.conf"));
  const mode = conf.models.find((m) => m.id === id);
  if (!mode) throw new Error(`nvpmodel.conf has no power mode ${id}`);
  for (const { param, arg, value } of mode.settings) {
    const definition = conf.params.get(param);
    const file = definition.args.get(arg);
    if (definition.args.has("FREQ_TABLE")) writeFreqLimit(root, board, file, Number(value) < 0 ? Infinity : Number(value));
    else writeText(root, file, `${value}\n`);
  }
  writeText(root, layout.statusFile, `pmode:${String(id).padStart(4, "0")}\n`);
  saveState(root, { ...loadState(root), clocksLocked: false });
  refresh(root);
}

/** Rewrites every value that moves: current clocks, GPU load, temperatures, rail power, fan speed, /proc. */
export function refresh(root) {
  const spec = loadSpec(root);
  const { board, layout } = spec;
  const state = loadState(root);
  const load = state.load / 100;
  const thermal = thermalState(root, layout, load, state.heatMC ?? 0);
  const online = allCpus(layout).filter((cpu) => isOnline(root, cpu));
  for (const cpu of online) settleClock(root, `${cpuDir(cpu)}/cpufreq`, "scaling_", "scaling_cur_freq", load, thermal.cap);
  writeText(root, `${CPU_ROOT}/online`, `${formatCpuList(online)}\n`);
  settleClock(root, layout.gpu.devfreqDir, "", "cur_freq", load, thermal.cap);
  writeNumber(root, layout.gpu.loadFile, Math.round(load * 1000));
  if (layout.emcRateFile) writeNumber(root, layout.emcRateFile, readEmc(root, spec, state).curHz);
  for (const { dir, mC } of thermal.zones) {
    writeNumber(root, `${dir}/temp`, Math.floor(Math.round(mC / board.thermalStepMC) * board.thermalStepMC));
  }
  for (const rail of layout.rails) {
    const mA = Math.round(((rail.idleMW + rail.perLoadMW * load) * 1000) / RAIL_MV);
    writeNumber(root, rail.voltageFile, RAIL_MV);
    writeNumber(root, rail.currentFile, mA);
    if (rail.powerFile) writeNumber(root, rail.powerFile, Math.round((RAIL_MV * mA) / 1000));
  }
  const pwm = readNumber(root, layout.fan.pwmFile);
  if (layout.fan.rpmFile) writeNumber(root, layout.fan.rpmFile, Math.round((pwm / 255) * board.fan.maxRpm));
  if (layout.fan.curPwmFile) writeNumber(root, layout.fan.curPwmFile, pwm);
  writeProcFiles(root, spec, state, online);
}

/** /proc/stat, /proc/uptime and /proc/meminfo brought up to now alone: the kernel's counters move between refreshes too. */
export function advanceProc(root) {
  const spec = loadSpec(root);
  const online = allCpus(spec.layout).filter((cpu) => isOnline(root, cpu));
  writeProcFiles(root, spec, loadState(root), online);
}

// How far past its passive trip point a zone would go before the clocks reach their floor.
const THROTTLE_SPAN_MC = 20_000;
const THROTTLE_FLOOR = 0.35;

/**
 * Temperatures from load and heat, and the thermal governor's answer: a zone that would pass its
 * passive trip point is held there while CPU and GPU clocks are capped below the mode's maximum,
 * the further past the trip the lower (cap 1 means no throttling).
 */
function thermalState(root, layout, load, heatMC) {
  let overMC = 0;
  const zones = layout.thermalZones.map((zone) => {
    const mC = zone.idleMC + zone.perLoadMC * load + (zone.perLoadMC > 0 ? heatMC : 0);
    const trip = zone.perLoadMC > 0 ? passiveTripMC(root, zone.dir) : undefined;
    if (trip === undefined || mC <= trip) return { dir: zone.dir, mC };
    overMC = Math.max(overMC, mC - trip);
    return { dir: zone.dir, mC: trip };
  });
  return { zones, cap: Math.max(THROTTLE_FLOOR, 1 - overMC / THROTTLE_SPAN_MC) };
}

/** The zone's first trip point of type passive, as the thermal framework lists them. */
function passiveTripMC(root, dir) {
  for (let i = 0; existsSync(onHost(root, `${dir}/trip_point_${i}_type`)); i++) {
    if (readText(root, `${dir}/trip_point_${i}_type`).trim() === "passive") return readNumber(root, `${dir}/trip_point_${i}_temp`);
  }
  return undefined;
}

// The thermal cap wins over a raised floor too (jetson_clocks' lock): the hardware throttles regardless.
function settleClock(root, dir, prefix, curFile, load, cap) {
  const table = readList(root, `${dir}/${prefix}available_frequencies`);
  const min = readNumber(root, `${dir}/${prefix}min_freq`);
  const max = readNumber(root, `${dir}/${prefix}max_freq`);
  writeNumber(root, `${dir}/${curFile}`, pickFrequency(table, Math.min(min, max * cap), max * cap, load));
}
