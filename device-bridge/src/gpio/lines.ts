import type { GpioLine } from "@jetson/protocol";
import { ActionError } from "../action-error.js";
import type { HostPort } from "../host/port.js";
import { parseDeviceTreeCompatible } from "../parsers/device-tree.js";
import { type GpioinfoLine, parseGpiodetect, parseGpioinfo } from "../parsers/gpiod.js";
import { FIXED_PINS, type HeaderMap, type HeaderPin, headerMapFor, HEADER_MAPS } from "./header-maps.js";
import { gpiodTools } from "./tools.js";

/** The header map of this board's carrier, or a refusal naming the boards that have one. */
export async function boardHeader(host: HostPort): Promise<HeaderMap> {
  const compatible = parseDeviceTreeCompatible((await host.readFile("/proc/device-tree/compatible")) ?? "");
  const map = headerMapFor(compatible);
  if (map) return map;
  throw new ActionError(
    "not_supported",
    `No 40-pin header map for this board (device tree: ${compatible.join(", ") || "unreadable"}). ` +
      `Maps exist for: ${HEADER_MAPS.map((m) => m.name).join("; ")}.`,
  );
}

/** A header pin that is a GPIO; power, ground, I2C and UART pins are refused before anything runs. */
export function gpioPin(map: HeaderMap, pin: number): HeaderPin {
  const found = map.pins.find((p) => p.pin === pin);
  if (found) return found;
  const role = FIXED_PINS.get(pin);
  throw new ActionError(
    "invalid_input",
    `Pin ${pin} of the ${map.name} header is ${role ?? "not a GPIO"}${role ? ", not a GPIO" : ""}. ` +
      `GPIO pins: ${map.pins.map((p) => p.pin).join(", ")}.`,
  );
}

/** Each header GPIO with the state gpioinfo reports, on the chip device that carries it. */
export async function headerLines(host: HostPort, map: HeaderMap, pins: readonly HeaderPin[] = map.pins): Promise<GpioLine[]> {
  const tools = await gpiodTools(host);
  const detected = parseGpiodetect(await tools.detect());
  const devices = new Map(detected.map((chip) => [chip.label, chip.device]));
  const labels = [...new Set(pins.map((p) => p.chip))];
  for (const label of labels) {
    if (!devices.has(label)) {
      const listed = detected.map((c) => c.label).join(", ") || "none";
      throw new ActionError("unavailable", `GPIO controller ${label} not found; gpiodetect lists ${listed}.`);
    }
  }
  const info = parseGpioinfo(await tools.info(labels.map((l) => devices.get(l) as string)));
  return pins.map((pin) => {
    const device = devices.get(pin.chip) as string;
    const line = info.get(device)?.find((l) => l.offset === pin.line);
    if (!line) throw new ActionError("unavailable", `gpioinfo shows no line ${pin.line} on ${device} (${pin.chip}) for pin ${pin.pin}.`);
    // A kernel whose line numbering differs from the map must never have the wrong line driven.
    if (line.name !== undefined && pin.lineName !== undefined && line.name !== pin.lineName) {
      throw new ActionError(
        "handler_failed",
        `Line ${pin.line} of ${pin.chip} is ${line.name}, but pin ${pin.pin} should be ${pin.lineName}; refusing to use it.`,
      );
    }
    return describe(pin, device, line);
  });
}

/** The line of one pin, refused when a driver or another process holds it. */
export async function freeLine(host: HostPort, map: HeaderMap, pin: HeaderPin): Promise<GpioLine> {
  const [line] = await headerLines(host, map, [pin]);
  if (!line) throw new ActionError("unavailable", `No line for pin ${pin.pin}.`);
  if (line.consumer !== undefined) {
    const which = line.lineName ?? `line ${line.line}`;
    throw new ActionError("unavailable", `Pin ${pin.pin} (${which}) is held by ${line.consumer}; it is left alone.`);
  }
  return line;
}

function describe(pin: HeaderPin, device: string, line: GpioinfoLine): GpioLine {
  return {
    pin: pin.pin,
    signal: pin.signal,
    ...(line.name === undefined ? {} : { lineName: line.name }),
    chip: pin.chip,
    device,
    line: pin.line,
    direction: line.direction,
    activeLow: line.activeLow,
    ...(line.consumer === undefined ? {} : { consumer: line.consumer }),
  };
}
