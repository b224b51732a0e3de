import { boardHeader, freeLine, gpioPin, headerLines } from "../gpio/lines.js";
import { FIXED_PINS } from "../gpio/header-maps.js";
import { gpiodTools } from "../gpio/tools.js";
import { type HandlerTable } from "./types.js";

export const gpioHandlers = {
  "gpio.list": async (_input, { host }) => {
    const map = await boardHeader(host);
    return {
      header: map.name,
      lines: await headerLines(host, map),
      otherPins: [...FIXED_PINS].map(([pin, role]) => ({ pin, role })),
    };
  },

  "gpio.read": async ({ pin }, { host }) => {
    const map = await boardHeader(host);
    const line = await freeLine(host, map, gpioPin(map, pin));
    const value = await (await gpiodTools(host)).get(line.device, line.line);
    return { pin, value, chip: line.chip, device: line.device, line: line.line };
  },

  "gpio.write": async ({ pin, value }, { host }) => {
    const map = await boardHeader(host);
    const line = await freeLine(host, map, gpioPin(map, pin));
    await (await gpiodTools(host)).set(line.device, line.line, value);
    return { pin, value, chip: line.chip, device: line.device, line: line.line };
  },
} satisfies Partial<HandlerTable>;
