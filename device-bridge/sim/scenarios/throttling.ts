import * as machine from "../programs/lib/jetson-sim/machine.mjs";
import type { Scenario } from "./scenario.js";

/** Sustained load in a hot enclosure: busy and cool first, then heat builds until the board throttles. */
export const THROTTLING = {
  loadPct: 95,
  /** Busy while still cool, so the cloud sees the clock the board runs at unthrottled. */
  coolS: 20,
  /** Heat builds over this long after the cool phase... */
  rampS: 60,
  /** ...to this much above what the load alone makes: enough to pass the 99 °C trip by ~15 °C. */
  heatMC: 40_000,
  /** The fan profile's curve: off to this temperature, full at fanFullMC. */
  fanStartMC: 50_000,
  fanFullMC: 90_000,
};

/** The fan control's answer to the hottest sensor: a straight line between start and full. */
export function fanPwmFor(hottestMC: number): number {
  const { fanStartMC, fanFullMC } = THROTTLING;
  return Math.round(255 * Math.min(1, Math.max(0, (hottestMC - fanStartMC) / (fanFullMC - fanStartMC))));
}

export const throttling: Scenario = {
  describe: `sustained ${THROTTLING.loadPct} % load; heat builds to the 99 °C trip point and the clocks fall`,
  step(root, elapsedS) {
    const { loadPct, coolS, rampS, heatMC } = THROTTLING;
    machine.setConditions(root, { loadPct, heatMC: heatMC * Math.min(1, Math.max(0, (elapsedS - coolS) / rampS)) });
    machine.setFanPwm(root, fanPwmFor(machine.hottestMC(root)));
  },
};
