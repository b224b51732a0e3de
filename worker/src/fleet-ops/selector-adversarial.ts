import type { DeviceAttributes } from "@jetson/protocol";

/**
 * Selectors built to make a backtracking matcher explode, each value as long as a wildcard value may be
 * (MAX_WILDCARD_VALUE), checked against 63-character values (the longest a device id may be) that almost
 * match. Shared by the tests, the fuzz script and the benchmark.
 */
export const ADVERSARIAL_VALUE = "a".repeat(63);

export const ADVERSARIAL_SELECTORS: readonly string[] = [
  "id:*a*a*a*a*a*a*a*b",
  `id:${"*a".repeat(24)}*b`,
  `tag:${"a*".repeat(24)}b`,
  `board:*${"a".repeat(23)}*${"a".repeat(23)}*b`,
  `id:${Array.from({ length: 16 }, () => "*a*b").join(",")}`,
];

/** A device whose every free-text attribute is the adversarial value. */
export const ADVERSARIAL_DEVICE: DeviceAttributes = {
  id: ADVERSARIAL_VALUE,
  tags: [ADVERSARIAL_VALUE, "warehouse"],
  board: ADVERSARIAL_VALUE,
  soc: "tegra234",
  jetpack: "6.2",
  l4t: "36.4.3",
  bridge: "0.1.0",
  online: true,
};
