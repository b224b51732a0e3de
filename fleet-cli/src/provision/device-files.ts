import { readFile } from "node:fs/promises";
import { BRIDGE_UNIT, type EnrolledDevice, EnrolledDeviceSchema } from "@jetson/protocol";
import { type BridgeConfig, BridgeConfigSchema, configProblems, renderReadWritePaths } from "@jetson/device-bridge/provisioning";

/** Where provisioning puts the bridge on a device; the systemd unit in infra/device names the same paths. */
export const DEVICE_PATHS = {
  bridge: "/opt/jetson-bridge/jetson-bridge.mjs",
  config: "/etc/jetson-bridge/config.json",
  unit: `/etc/systemd/system/${BRIDGE_UNIT}`,
  sudoers: "/etc/sudoers.d/jetson-bridge",
} as const;

export const SERVICE_USER = "jetson-bridge";
export const UNIT_NAME = BRIDGE_UNIT;

const UNIT_TEMPLATE = new URL("../../../infra/device/jetson-bridge.service", import.meta.url);
const TEMPLATE_EXEC = `ExecStart=/usr/bin/node ${DEVICE_PATHS.bridge} launch --releases /var/lib/jetson-bridge/releases -- run --config ${DEVICE_PATHS.config}`;
const TEMPLATE_WRITABLE = /^# @ReadWritePaths@.*\n/m;

/**
 * The repository's unit for one device: started with the Node found on it (NodeSource and
 * distributions differ), its sandbox leaving writable exactly what the configured actions write.
 */
export async function renderUnit(nodePath: string, config: BridgeConfig): Promise<string> {
  const template = await readFile(UNIT_TEMPLATE, "utf8");
  if (!template.includes(TEMPLATE_EXEC)) throw new Error(`${UNIT_TEMPLATE.pathname} no longer has the line provisioning expects: ${TEMPLATE_EXEC}`);
  if (!TEMPLATE_WRITABLE.test(template)) throw new Error(`${UNIT_TEMPLATE.pathname} no longer has the line provisioning expects: # @ReadWritePaths@`);
  return template.replace(TEMPLATE_EXEC, TEMPLATE_EXEC.replace("/usr/bin/node", nodePath)).replace(TEMPLATE_WRITABLE, renderReadWritePaths(config));
}

/** The privileged programs a device's bridge uses when the operator gives no configuration of their own. */
export const DEFAULT_DEVICE_SETTINGS = { sudo: { programs: ["nvpmodel", "jetson_clocks", "systemctl"] } };

/** What enrolling gave the device (its fleet's update key among it, once the fleet has one) and where to use it. */
export type Credential = EnrolledDevice & { url: string };

/** The configuration fields provisioning writes itself: the credential, and the update key that came with it. */
const CREDENTIAL_FIELDS = ["url", ...Object.keys(EnrolledDeviceSchema.shape)];

/**
 * The device's bridge configuration: the operator's settings and the device's credential, checked by the bridge's own schema.
 * A credential without an update key writes none, as `jetson-bridge enroll` does.
 */
export function renderConfig(settings: Record<string, unknown>, credential: Credential): { text: string; config: BridgeConfig } {
  const merged = { ...credential, ...settings };
  const parsed = BridgeConfigSchema.safeParse(merged);
  if (!parsed.success) throw new Error(`The bridge configuration for ${credential.deviceId} is not valid:\n${configProblems(parsed.error)}`);
  return { text: `${JSON.stringify(merged, null, 2)}\n`, config: parsed.data };
}

/** The device's settings from a JSON file (everything but the credential fields). */
export async function readSettings(file: string | undefined): Promise<Record<string, unknown>> {
  if (file === undefined) return DEFAULT_DEVICE_SETTINGS;
  const value: unknown = JSON.parse(await readFile(file, "utf8"));
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${file} is not a JSON object`);
  for (const key of CREDENTIAL_FIELDS) {
    if (key in value) throw new Error(`${file} sets ${key}: provisioning writes the credential and the update key itself`);
  }
  return value as Record<string, unknown>;
}

/** The credential in a device's current configuration (with the update key it pinned), when it is one for this fleet URL and device. */
export function existingCredential(text: string | undefined, url: string, deviceId: string): Credential | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    const held = EnrolledDeviceSchema.safeParse(value);
    if (!held.success || (value as { url?: unknown }).url !== url || held.data.deviceId !== deviceId) return undefined;
    return { url, ...held.data };
  } catch {
    return undefined;
  }
}
