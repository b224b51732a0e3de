import type { SimBoard, SimGeneration, SimLayout } from "./types.js";

export const CPU_ROOT = "/sys/devices/system/cpu";
export const SIM_STATE_DIR = "/var/lib/jetson-sim";
export const CALL_LOG = "/var/log/sim-calls.log";
/** debugfs folder of the clocks (engines: clk_rate, clk_enable_count), as on a board. */
export const ENGINE_CLOCK_DIR = "/sys/kernel/debug/clk";

export function cpuCount(board: SimBoard): number {
  return board.cpu.clusters.reduce((n, cluster) => n + cluster.cpus.length, 0);
}

/** Where each device of the board lives, with the names its generation's drivers use. */
export function simLayout(board: SimBoard, generation: SimGeneration): SimLayout {
  const { gpu } = board;
  const devfreqName = gpu.devfreqName ?? `${gpu.address}.${gpu.ofName}`;
  return {
    cpuCount: cpuCount(board),
    gpu: {
      devfreqDir: `${gpu.devicePath}/devfreq/${devfreqName}`,
      classDir: `/sys/class/devfreq/${devfreqName}`,
      loadFile: gpu.openRm ? `${SIM_STATE_DIR}/nvml-gpu-utilization` : `${gpu.devicePath}/load`,
      ofNameFile: `${gpu.devicePath}/of_node/name`,
      powerControlFile: `${gpu.controlPath}/power/control`,
      ...(gpu.tpcs === undefined ? {} : { tpcMaskFile: `${gpu.controlPath}/tpc_pg_mask` }),
    },
    emcCapFile: "/sys/kernel/nvpmodel_emc_cap/emc_iso_cap",
    ...(board.emc.bwmgr ? { emcRateFile: "/sys/class/devfreq/bwmgr/cur_freq" } : {}),
    thermalZones: board.thermalZones.map((zone, i) => ({ ...zone, dir: `/sys/devices/virtual/thermal/thermal_zone${i}` })),
    rails: railFiles(board, generation),
    fan:
      generation.fan === "pwm-fan"
        ? {
            pwmFile: "/sys/devices/pwm-fan/target_pwm",
            curPwmFile: "/sys/devices/pwm-fan/cur_pwm",
            tempControlFile: "/sys/devices/pwm-fan/temp_control",
            ...(board.fan.maxRpm === undefined ? {} : { rpmFile: "/sys/devices/pwm-fan/rpm_measured" }),
          }
        : {
            pwmFile: "/sys/class/hwmon/hwmon0/pwm1",
            nameFile: "/sys/class/hwmon/hwmon0/name",
            ...(board.fan.maxRpm === undefined ? {} : { rpmFile: "/sys/class/hwmon/hwmon0/rpm" }),
          },
    statusFile: "/var/lib/nvpmodel/status",
  };
}

// Each INA3221 gets the next device number (hwmon0 is the fan); the iio driver reports mW itself.
function railFiles(board: SimBoard, generation: SimGeneration): SimLayout["rails"] {
  const devices = [...new Set(board.rails.map((rail) => rail.device))];
  return board.rails.map((rail) => {
    const n = devices.indexOf(rail.device);
    const ch = rail.channel;
    if (generation.ina === "iio") {
      const dir = `/sys/bus/i2c/drivers/ina3221x/${rail.device}/iio:device${n}`;
      return {
        ...rail,
        labelFile: `${dir}/rail_name_${ch}`,
        voltageFile: `${dir}/in_voltage${ch}_input`,
        currentFile: `${dir}/in_current${ch}_input`,
        powerFile: `${dir}/in_power${ch}_input`,
      };
    }
    const dir = `/sys/bus/i2c/drivers/ina3221/${rail.device}/hwmon/hwmon${n + 1}`;
    return { ...rail, labelFile: `${dir}/in${ch}_label`, voltageFile: `${dir}/in${ch}_input`, currentFile: `${dir}/curr${ch}_input` };
  });
}
