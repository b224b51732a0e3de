import { boardHeader, freeLine, gpioPin, headerLines, tool } from "../gpio/lines.js";
import { FIXED_PINS } from "../gpio/header-maps.js";
import { ActionError } from "../action-error.js";
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
    const { stdout } = await tool(host, "gpioget", [line.device, String(line.line)]);
    const value = stdout.trim();
    if (value !== "0" && value !== "1") throw new ActionError("handler_failed", `gpioget printed ${JSON.stringify(value)}, not 0 or 1.`);
    return { pin, value: value === "1" ? 1 : 0, chip: line.chip, device: line.device, line: line.line };
  },

  "gpio.write": async ({ pin, value }, { host }) => {
    const map = await boardHeader(host);
    const line = await freeLine(host, map, gpioPin(map, pin));
    await tool(host, "gpioset", [line.device, `${line.line}=${value}`]);
    return { pin, value, chip: line.chip, device: line.device, line: line.line };
  },
} satisfies Partial<HandlerTable>;
