// Rails that measure the whole board's input; AGX Xavier, AGX Orin and Thor have none.
const INPUT_RAILS = ["VDD_IN", "POM_5V_IN"];

/** INA3221 channels labelled NC have nothing connected. */
export const NOT_CONNECTED = /(?:^|_)NC(?:_|$)/;

/** The board's input rail when it has one, else the sum of its rails (mW). */
export function totalPowerMW(rails: Readonly<Record<string, { now: number }>>): number {
  const input = INPUT_RAILS.map((name) => rails[name]).find((rail) => rail !== undefined);
  return input?.now ?? Object.values(rails).reduce((sum, rail) => sum + rail.now, 0);
}
