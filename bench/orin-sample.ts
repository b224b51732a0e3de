import type { TimedSample } from "@jetson/protocol";

/**
 * A JetPack 6 AGX Orin's full sample at second `i` (12 CPUs, GPU, EMC, 10 engines, 5 temperatures,
 * 3 rails, fan, disk), its readings moving from second to second as a busy board's do.
 */
export function busyOrinSample(t: number, i: number): TimedSample {
  const wobble = (period: number, amplitude: number) => Math.round(amplitude * Math.sin(i / period));
  return {
    t,
    time: new Date(t).toISOString().slice(0, 19),
    ram: { usedMB: 18_207 + wobble(7, 40), totalMB: 62_841 },
    swap: { usedMB: 86, totalMB: 31_420 },
    cpus: Array.from({ length: 12 }, (_, cpu) => ({ loadPct: 14 + wobble(3 + cpu, 12) + 12, freqMHz: cpu < 4 ? 2_188 : 1_267 })),
    gpu: { loadPct: 40 + wobble(5, 30), freqMHz: 1_300 },
    emc: { loadPct: 3 + wobble(9, 2) + 2, freqMHz: 2_133 },
    engines: {
      NVENC: { online: true, loadPct: 79 + wobble(4, 10), freqMHz: 166 },
      NVDEC: { online: false },
      NVJPG: { online: false },
      NVJPG1: { online: false },
      VIC: { online: true, loadPct: 36 + wobble(6, 8), freqMHz: 115 },
      OFA: { online: false },
      NVDLA0: { online: false },
      NVDLA1: { online: false },
      PVA0: { online: false },
      APE: { online: true, freqMHz: 174 },
    },
    // tegrastats prints temperatures in steps of 1/32 °C.
    tempsC: Object.fromEntries(["cpu", "soc2", "soc0", "gpu", "tj", "soc1"].map((name, n) => [name, 48 + n + (wobble(11 + n, 40) + 40) / 32])),
    powerMW: {
      VDD_GPU_SOC: { now: 2_412 + wobble(5, 300), avg: 2_412 + wobble(50, 30) },
      VDD_CPU_CV: { now: 1_607 + wobble(3, 200), avg: 1_607 + wobble(40, 20) },
      VIN_SYS_5V0: { now: 4_707 + wobble(8, 100), avg: 4_707 + wobble(60, 10) },
    },
    totalPowerMW: 8_726 + wobble(5, 500),
    fan: { pwmPct: 34, rpm: 2_210 + wobble(20, 30) },
    disk: { usedMB: 20_480, totalMB: 57_000 },
  };
}
