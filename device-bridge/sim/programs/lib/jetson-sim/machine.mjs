// The simulated board's behaviour: power modes, and the sysfs and /proc values that follow
// from its load, power mode and clock limits. Stand-ins call refresh() before they read.
import { bootAdmin, rebootAdmin } from "./admin.mjs";
import { parseConf } from "./nvpmodel-conf.mjs";
import { allCpus, CPU_ROOT, cpuDir, formatCpuList, isOnline, pickFrequency, writeFreqLimit } from "./kernel.mjs";
import { resetCounters, writeProcFiles } from "./procfs.mjs";
import { readEmc } from "./readings.mjs";
import {
  loadSpec,
  loadState,
  makeSimDirs,
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

/** The simulated workload in percent, which clocks, temperatures, power and memory follow. */
export function setLoad(root, percent) {
  saveState(root, { ...loadState(root), load: percent });
  refresh(root);
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
  const online = allCpus(layout).filter((cpu) => isOnline(root, cpu));
  for (const cpu of online) settleClock(root, `${cpuDir(cpu)}/cpufreq`, "scaling_", "scaling_cur_freq", load);
  writeText(root, `${CPU_ROOT}/online`, `${formatCpuList(online)}\n`);
  settleClock(root, layout.gpu.devfreqDir, "", "cur_freq", load);
  writeNumber(root, layout.gpu.loadFile, Math.round(load * 1000));
  if (layout.emcRateFile) writeNumber(root, layout.emcRateFile, readEmc(root, spec, state).curHz);
  for (const zone of layout.thermalZones) {
    const mC = zone.idleMC + zone.perLoadMC * load;
    writeNumber(root, `${zone.dir}/temp`, Math.floor(Math.round(mC / board.thermalStepMC) * board.thermalStepMC));
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

function settleClock(root, dir, prefix, curFile, load) {
  const table = readList(root, `${dir}/${prefix}available_frequencies`);
  const min = readNumber(root, `${dir}/${prefix}min_freq`);
  const max = readNumber(root, `${dir}/${prefix}max_freq`);
  writeNumber(root, `${dir}/${curFile}`, pickFrequency(table, min, max, load));
}
