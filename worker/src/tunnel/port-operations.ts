import type { DevicePort, OpenedPort, OpenPortRequest } from "@jetson/protocol";
import { deviceStub, type Fleet, FleetError } from "../fleet.js";
import { auditPort } from "./port-audit.js";
import { portTunnelToken } from "./port-token.js";

/** Opening, closing and listing a device's port tunnels as one caller of the fleet may; each opening and closing is audited. */
export class DevicePorts {
  constructor(private readonly fleet: Fleet) {}

  async open(device: string, { port, seconds }: OpenPortRequest): Promise<OpenedPort> {
    const stub = await this.device(device);
    const caller = this.fleet.callerName();
    const opening = await stub.openPort(port, seconds, caller);
    await auditPort(this.fleet.env, this.fleet.id, {
      caller,
      device,
      action: "open_device_port",
      args: opening.ok ? { id: opening.port.id, port, seconds } : { port, seconds },
      outcome: opening.ok ? "succeeded" : "refused",
      ...(!opening.ok && { error: opening.error }),
    });
    if (!opening.ok) throw new FleetError("invalid", opening.error);
    return { ...opening.port, url: `${this.fleet.env.PUBLIC_URL}/t/${portTunnelToken(stub.id, opening.secret)}/` };
  }

  async close(device: string, id: string): Promise<void> {
    const stub = await this.device(device);
    if (!(await stub.closePort(id))) throw new FleetError("not_found", "No such open tunnel on this device.");
    await auditPort(this.fleet.env, this.fleet.id, { caller: this.fleet.callerName(), device, action: "close_device_port", args: { id }, outcome: "succeeded" });
  }

  async list(device: string): Promise<DevicePort[]> {
    this.fleet.require("read");
    await this.fleet.mustExist(device);
    return deviceStub(this.fleet.env, this.fleet.id, device).openPorts();
  }

  private async device(device: string) {
    this.fleet.require("operate");
    await this.fleet.mustExist(device);
    return deviceStub(this.fleet.env, this.fleet.id, device);
  }
}
