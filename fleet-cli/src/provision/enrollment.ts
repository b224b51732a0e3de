import type { DeviceSummary } from "@jetson/protocol";
import { FleetApi, FleetApiError } from "../api-client.js";
import type { Credential } from "./device-files.js";
import { ProvisionRefused } from "./target-check.js";

/**
 * What the enrollment step does: keep the credential the board holds, or trade a new code. `takeOver`
 * is the device the id names when it is another board's (or a credential this board lost): the operator
 * asked for it with --reenroll.
 */
export type EnrollmentPlan = { keep: Credential } | { enroll: { takeOver?: DeviceSummary } };

/**
 * Decides before anything changes on the board. A device id is one board's: the fleet accepts one
 * credential per device and closes every connection when it is traded again, so enrolling an id that
 * already is a device cuts that board off and hands its history to this one. That happens only when
 * this board's own credential is the one the fleet accepts, or when the operator said --reenroll.
 */
export async function planEnrollment(api: FleetApi, deviceId: string, held: Credential | undefined, reenroll: boolean): Promise<EnrollmentPlan> {
  const accepted = held !== undefined && (await credentialAccepted(held));
  if (held && accepted && !reenroll) return { keep: held };
  const device = await fleetDevice(api, deviceId);
  if (accepted || device === undefined) return { enroll: {} };
  if (!reenroll) throw new ProvisionRefused(takenOver(device, held !== undefined));
  return { enroll: { takeOver: device } };
}

/** The device the fleet has under this id, or undefined when it has none. */
export async function fleetDevice(api: FleetApi, deviceId: string): Promise<DeviceSummary | undefined> {
  return api.request<DeviceSummary>("GET", `/api/devices/${encodeURIComponent(deviceId)}`).catch((error: unknown) => {
    if (error instanceof FleetApiError && error.status === 404) return undefined;
    throw error;
  });
}

/** The device in a few words: its board and whether it is online. */
export function describeDevice(device: DeviceSummary): string {
  const board = device.state?.board ?? "board not reported";
  const presence = device.online
    ? `online since ${isoTime(device.connectedSince)}`
    : device.lastSeen === undefined
      ? "offline, never connected"
      : `offline, last seen ${isoTime(device.lastSeen)}`;
  return `${board}, hostname ${device.state?.hostname ?? "not reported"}, ${presence}`;
}

/**
 * Whether the fleet still takes the credential: asked as the device asks for its update key's
 * rotations, with the device's own token (through FleetApi, so never over clear text), which changes nothing.
 */
async function credentialAccepted(credential: Credential): Promise<boolean> {
  const path = `/device-releases/${encodeURIComponent(credential.fleet)}/${encodeURIComponent(credential.deviceId)}/key-rotations`;
  return new FleetApi(credential.url, credential.token).request("GET", path).then(
    () => true,
    (error: unknown) => {
      if (error instanceof FleetApiError && error.status === 401) return false;
      throw error;
    },
  );
}

function takenOver(device: DeviceSummary, lostCredential: boolean): string {
  const why = lostCredential
    ? "the fleet no longer accepts this board's credential for it (another board was enrolled under that id since, or it was enrolled again)"
    : "this board holds no credential for it";
  return [
    `${device.id} is already a device of fleet ${device.fleet} (${describeDevice(device)}), and ${why}.`,
    `Enrolling this board as ${device.id} would take that device over: the board holding it would be cut off, and this one would inherit its history, tags and desired state.`,
    `Run again with --device <another id> to enroll this board as a device of its own, or with --reenroll to take ${device.id} over.`,
  ].join("\n");
}

const isoTime = (ms: number | undefined) => (ms === undefined ? "an unknown time" : new Date(ms).toISOString());
