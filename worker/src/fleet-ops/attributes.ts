import type { DeviceAttributes, DeviceSummary } from "@jetson/protocol";

/**
 * Board families by the device tree's model string, most specific first: "Orin Nano"
 * must win over "Nano", "Xavier NX" over "NX". Carriers from other vendors print their
 * own model, so anything unmatched falls back to a slug of the string itself.
 */
const BOARD_FAMILIES: ReadonlyArray<[RegExp, string]> = [
  [/\bthor\b/i, "agx-thor"],
  [/\bagx orin\b/i, "agx-orin"],
  [/\borin nx\b/i, "orin-nx"],
  [/\borin nano\b/i, "orin-nano"],
  [/\bagx xavier\b/i, "agx-xavier"],
  // The AGX Xavier developer kit's device tree names no family at all.
  [/^jetson-agx$/i, "agx-xavier"],
  [/\bxavier nx\b/i, "xavier-nx"],
  [/\btx2 nx\b/i, "tx2-nx"],
  [/\btx2\b/i, "tx2"],
  [/\btx1\b/i, "tx1"],
  [/\bnano\b/i, "nano"],
];

/** "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super" → "orin-nano". */
export function boardSlug(model: string): string {
  const family = BOARD_FAMILIES.find(([pattern]) => pattern.test(model));
  if (family) return family[1];
  return model
    .toLowerCase()
    .replace(/^nvidia\s+(jetson\s+)?/, "")
    .replace(/\s+developer kit.*$/, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** What a selector matches a device on, from its summary alone (no device is woken). */
export function deviceAttributes(summary: DeviceSummary): DeviceAttributes {
  const state = summary.state;
  return {
    id: summary.id,
    tags: summary.tags ?? [],
    board: state?.board === undefined ? undefined : boardSlug(state.board),
    soc: state?.soc,
    jetpack: state?.jetpack,
    l4t: state?.l4t,
    bridge: state?.bridgeVersion,
    online: summary.online,
  };
}
