import { type CommandRecord, type DeviceSummary, DeviceIdSchema, type ProvisionedDevice, tunnelPath } from "@jetson/protocol";
import { hashSecret, newSecret } from "./credentials.js";
import type { InvokeOutcome, InvokeRequest, ProgressListener } from "./device/invoke.js";
import type { Env } from "./env.js";

const NO_SUCH_DEVICE: InvokeOutcome = { ok: false, error: { code: "unknown_device", message: "No such device in this fleet." } };

/** One fleet's devices as a caller sees them: every lookup goes through the fleet's registry first. */
export class Fleet {
  constructor(
    private readonly env: Env,
    readonly id: string,
  ) {}

  list(): Promise<DeviceSummary[]> {
    return this.registry().list();
  }

  async get(deviceId: string): Promise<DeviceSummary | undefined> {
    if (!(await this.exists(deviceId))) return undefined;
    return this.device(deviceId).summary();
  }

  /** Creates a device (or rotates its credential) and returns its secret, which is stored only as a hash. */
  async provision(deviceId: string): Promise<ProvisionedDevice> {
    const id = DeviceIdSchema.parse(deviceId);
    const token = newSecret();
    await this.device(id).provision({ fleet: this.id, deviceId: id, credentialHash: await hashSecret(token) });
    return { id, fleet: this.id, token, tunnelPath: tunnelPath(this.id, id) };
  }

  async commands(deviceId: string, limit: number): Promise<CommandRecord[] | undefined> {
    if (!(await this.exists(deviceId))) return undefined;
    return this.device(deviceId).commands(limit);
  }

  async invoke(deviceId: string, request: InvokeRequest, onProgress?: ProgressListener): Promise<InvokeOutcome> {
    if (!(await this.exists(deviceId))) return NO_SUCH_DEVICE;
    return this.device(deviceId).invoke(request, onProgress);
  }

  /** The device's object by fleet and id; the tunnel uses it before any registry lookup. */
  device(deviceId: string) {
    return this.env.DEVICE.get(this.env.DEVICE.idFromName(`${this.id}/${deviceId}`));
  }

  private async exists(deviceId: string): Promise<boolean> {
    return DeviceIdSchema.safeParse(deviceId).success && this.registry().has(deviceId);
  }

  private registry() {
    return this.env.REGISTRY.get(this.env.REGISTRY.idFromName(this.id));
  }
}
