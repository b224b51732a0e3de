import type { DeviceState } from "@jetson/protocol";
import type { HostPort } from "./host/port.js";
import { readIdentity } from "./machine/identity.js";
import { reportedPowerMode } from "./machine/power-modes.js";
import { BRIDGE_VERSION } from "./version.js";

/** What the device says about itself on the `state` channel: who it is, its power mode, what it can run. */
export async function readDeviceState(host: HostPort, capabilities: ReadonlySet<string>): Promise<DeviceState> {
  const [identity, powerMode] = await Promise.all([readIdentity(host), reportedPowerMode(host)]);
  return { ...identity, bridgeVersion: BRIDGE_VERSION, powerMode, capabilities: [...capabilities] };
}
