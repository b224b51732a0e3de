// Rails that measure the whole board's input; AGX Xavier, AGX Orin and Thor have none.
const INPUT_RAILS = ["VDD_IN", "POM_5V_IN"];
// Rails fed from another measured rail, so a sum would count them twice. AGX Orin's second INA3221
// measures VDDQ_VDD2_1V8AO, drawn from VIN_SYS_5V0; JetPack 6's tegrastats does not even print it.
const SUB_RAILS = new Set(["VDDQ_VDD2_1V8AO"]);

/** INA3221 channels labelled NC have nothing connected. */
export const NOT_CONNECTED = /(?:^|_)NC(?:_|$)/;

/** The board's input rail when it has one, else the sum of its top-level rails (mW): the same figure from sysfs and tegrastats. */
export function totalPowerMW(rails: Readonly<Record<string, { now: number }>>): number {
  const input = INPUT_RAILS.map((name) => rails[name]).find((rail) => rail !== undefined);
  if (input) return input.now;
  return Object.entries(rails).reduce((sum, [name, rail]) => (SUB_RAILS.has(name) ? sum : sum + rail.now), 0);
}
