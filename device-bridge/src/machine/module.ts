// Compute module part numbers and their names, after jetson_stats (jtop)'s MODULE_NAME_TABLE.
const MODULES = new Map([
  ["p3834-0008", "Jetson AGX Thor (developer kit module)"],
  ["p3767-0005", "Jetson Orin Nano (developer kit module)"],
  ["p3767-0004", "Jetson Orin Nano 4GB"],
  ["p3767-0003", "Jetson Orin Nano 8GB"],
  ["p3767-0001", "Jetson Orin NX 8GB"],
  ["p3767-0000", "Jetson Orin NX 16GB"],
  ["p3701-0005", "Jetson AGX Orin 64GB"],
  ["p3701-0004", "Jetson AGX Orin 32GB"],
  ["p3701-0002", "Jetson IGX Orin (developer kit module)"],
  ["p3701-0000", "Jetson AGX Orin"],
  ["p3668-0003", "Jetson Xavier NX 16GB"],
  ["p3668-0001", "Jetson Xavier NX"],
  ["p3668-0000", "Jetson Xavier NX (developer kit module)"],
  ["p2888-0008", "Jetson AGX Xavier Industrial 32GB"],
  ["p2888-0006", "Jetson AGX Xavier 8GB"],
  ["p2888-0005", "Jetson AGX Xavier 64GB"],
  ["p2888-0004", "Jetson AGX Xavier 32GB"],
  ["p2888-0003", "Jetson AGX Xavier 32GB"],
  ["p2888-0001", "Jetson AGX Xavier 16GB"],
  ["p3448-0003", "Jetson Nano 2GB"],
  ["p3448-0002", "Jetson Nano (16GB eMMC module)"],
  ["p3448-0000", "Jetson Nano 4GB"],
  ["p3636-0001", "Jetson TX2 NX"],
  ["p3489-0888", "Jetson TX2 4GB"],
  ["p3489-0000", "Jetson TX2i"],
  ["p3310-1000", "Jetson TX2"],
  ["p2180-1000", "Jetson TX1"],
]);

// "p3737-0000", possibly followed by a revision or variant ("-b00", "-super").
const PART_NUMBER = /^p\d{4}-\d{4}/;

export interface BoardParts {
  module?: { partNumber: string; name?: string };
  carrier?: string;
}

/**
 * Module and carrier from the device tree. NVIDIA writes the board in the compatible list as
 * "nvidia,<carrier>+<module>" (nvidia,p3737-0000+p3701-0005), on older boards as a lone module
 * entry; where it does neither (TX2 "nvidia,quill", AGX Xavier "nvidia,p2972-0000") the source
 * file's name in nvidia,dtsfilename still says tegra<soc>-[<codename>-]<module>-[<carrier>-]...
 */
export function boardParts(compatible: readonly string[], dtsFilename?: string): BoardParts {
  for (const entry of compatible) {
    const [carrierPart, modulePart] = entry.replace(/^nvidia,/, "").split("+");
    const carrier = PART_NUMBER.exec(carrierPart ?? "")?.[0];
    const module = PART_NUMBER.exec(modulePart ?? "")?.[0];
    if (carrier && module) return { carrier, module: named(module) };
  }
  for (const entry of compatible) {
    const part = PART_NUMBER.exec(entry.replace(/^nvidia,/, ""))?.[0];
    if (part && MODULES.has(part)) return { module: named(part) };
  }
  return dtsFilename === undefined ? {} : partsFromDtsFilename(dtsFilename);
}

// "p2888-0001" inside a dts file name, between dashes.
const DTS_PART = /(?<=^|-)p\d{4}-\d{4}(?=-|$)/g;

/** tegra194-p2888-0001-p2822-0000.dts: the first part number is the module, a second one the carrier. */
function partsFromDtsFilename(raw: string): BoardParts {
  const name = (raw.replace(/\0+$/, "").split("/").pop() ?? "").replace(/\.dts$/, "");
  const [module, carrier] = name.match(DTS_PART) ?? [];
  if (module === undefined || !MODULES.has(module)) return {};
  return carrier === undefined ? { module: named(module) } : { carrier, module: named(module) };
}

function named(partNumber: string): { partNumber: string; name?: string } {
  const name = MODULES.get(partNumber);
  return name === undefined ? { partNumber } : { partNumber, name };
}
