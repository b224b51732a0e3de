import { readFile } from "node:fs/promises";
import { AbsolutePathSchema, BRIDGE_UNIT, CloudUrlSchema, DeviceIdSchema, FleetIdSchema, PackageNameSchema, UnitNameSchema, UpdatePublicKeySchema } from "@jetson/protocol";
import { z } from "zod";
import { ConfigError } from "./config-error.js";
import { ownFolderInVolumeRoot } from "./containers/volume-roots.js";
import { PRIVILEGED_PROGRAMS, type PrivilegedProgram } from "./host/privileged.js";
import { dataFolderProblem } from "./host/unit-sandbox.js";

const DAY_MS = 86_400_000;

/**
 * Telemetry: a sample every sampleMs, a batch every batchMs. While the link is down samples wait in
 * a bounded buffer: the last fullResolutionMs at full rate, older ones thinned to one per
 * thinnedIntervalMs, at most maxSamples. The defaults (10 min at 1 Hz, then one a minute, 5,000
 * samples) cover about three days; a buffer that cannot hold a day is refused.
 */
const TelemetryConfigSchema = z
  .object({
    sampleMs: z.number().int().min(100).max(60_000).default(1_000),
    batchMs: z.number().int().min(100).max(600_000).default(5_000),
    /** Upper bound of a batch's JSON; the broker's Maximum Packet Size lowers it further. */
    maxBatchBytes: z.number().int().min(16_384).default(256 * 1024),
    buffer: z
      .object({
        fullResolutionMs: z.number().int().nonnegative().default(10 * 60_000),
        thinnedIntervalMs: z.number().int().min(1_000).default(60_000),
        maxSamples: z.number().int().min(100).default(5_000),
      })
      .prefault({}),
  })
  .refine(
    ({ sampleMs, buffer }) => buffer.maxSamples >= buffer.fullResolutionMs / sampleMs + DAY_MS / buffer.thinnedIntervalMs,
    { message: "telemetry.buffer.maxSamples cannot hold 24 hours of thinned samples after the full-resolution window", path: ["buffer", "maxSamples"] },
  );

/** A folder of the bridge's own data, which the systemd unit makes writable (ReadWritePaths=) when it lies outside the StateDirectory. */
const DataFolderSchema = z.string().superRefine((folder, ctx) => {
  const problem = dataFolderProblem(folder);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** Where a machine's files and programs are, and which programs need sudo: for this machine and each SSH target. */
const MachineShape = {
  /** Where the machine's `/` is; a simulated Jetson uses its generated folder. */
  root: z.string().startsWith("/").default("/"),
  /** Where programs are found, sudo's included: `jetson-bridge sudoers` names a program only where root alone can change it and the folders above it. */
  programDirs: z.array(AbsolutePathSchema).min(1).default(["/usr/sbin", "/usr/bin", "/sbin", "/bin"]),
  /** Programs run through sudo; empty where the bridge runs as a user that needs none (a simulation). */
  sudo: z
    .object({
      path: z.string().startsWith("/").default("/usr/bin/sudo"),
      programs: z.array(z.enum(Object.keys(PRIVILEGED_PROGRAMS) as [PrivilegedProgram, ...PrivilegedProgram[]])).default([]),
    })
    .prefault({}),
};

export const GatewayDeviceSchema = z.object({
  deviceId: DeviceIdSchema,
  token: z.string().min(16, "device token is at least 16 characters"),
  ssh: z
    .object({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65_535).default(22),
      username: z.string().min(1),
      /** A private key file on this machine, or the name of an environment variable holding the password. */
      privateKeyFile: z.string().startsWith("/").optional(),
      passwordEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
      /** The target's host key, pinned: `SHA256:...` as `ssh-keygen -lf` prints it. */
      hostKeySha256: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "SHA256:<43 base64 characters>, as ssh-keygen -lf prints"),
    })
    .refine((ssh) => ssh.privateKeyFile !== undefined || ssh.passwordEnv !== undefined, "needs privateKeyFile or passwordEnv"),
  ...MachineShape,
});
export type GatewayDevice = z.infer<typeof GatewayDeviceSchema>;

/** A unit services.allow may list: never the bridge's own, which services_stop would take offline until someone on the device starts it again. */
const AllowedUnitSchema = UnitNameSchema.refine(
  (unit) => unit !== BRIDGE_UNIT,
  `${BRIDGE_UNIT} is the unit the bridge itself runs as: stopping or disabling it would take the device offline until someone starts it again on the device. Remove it from services.allow.`,
);

/** Limits of the system administration actions. */
const AdminShape = {
  /** Units services.start, stop, restart, enable and disable may change (`.service` added where no type is given); none by default. `jetson-bridge sudoers` names exactly these. */
  services: z.object({ allow: z.array(AllowedUnitSchema).default([]) }).prefault({}),
  /** Packages packages.install, remove and upgrade may name; without a list, any valid Debian package name. */
  packages: z.object({ allow: z.array(PackageNameSchema).optional() }).prefault({}),
  /** Folders storage.largest may measure, with everything under them. */
  storage: z.object({ roots: z.array(AbsolutePathSchema).min(1).default(["/"]) }).prefault({}),
};
export const AdminConfigSchema = z.object(AdminShape);
export type AdminConfig = z.infer<typeof AdminConfigSchema>;

/** An http(s) origin, as URL.origin writes it (http://127.0.0.1:80/ becomes http://127.0.0.1). */
const OriginSchema = z
  .url({ protocol: /^https?$/ })
  .refine((url) => URL.canParse(url) && new URL(url).href === `${new URL(url).origin}/`, "an origin such as http://127.0.0.1:8080: scheme, host and port, no path")
  .transform((url) => new URL(url).origin);

export const BridgeConfigSchema = z.object({
  url: CloudUrlSchema,
  fleet: FleetIdSchema,
  deviceId: DeviceIdSchema,
  token: z.string().min(16, "device token is at least 16 characters"),
  /** The fleet's bridge update key, pinned at enrollment: bridge.update installs only releases it signed, and none without it. */
  updateKey: UpdatePublicKeySchema.optional(),
  /** Where the machine's `/` is; a simulated Jetson uses its generated folder. */
  ...MachineShape,
  stateDir: DataFolderSchema.default("/var/lib/jetson-bridge"),
  keepaliveSeconds: z.number().int().min(10).max(1200).default(60),
  reconnect: z
    .object({ minMs: z.number().int().positive().default(500), maxMs: z.number().int().positive().default(30_000) })
    .prefault({}),
  limits: z
    .object({
      runTimeoutMs: z.number().int().positive().default(60_000),
      maxOutputBytes: z.number().int().positive().default(1 << 20),
    })
    .prefault({}),
  telemetry: TelemetryConfigSchema.prefault({}),
  /** The Docker Engine API's unix socket, and the host folders containers may mount (none by default). */
  docker: z
    .object({
      socket: z.string().startsWith("/").default("/var/run/docker.sock"),
      volumeRoots: z.array(z.string().startsWith("/")).default([]),
    })
    .prefault({}),
  /** The model store (a real path, like stateDir) and the space a model download must leave free. */
  models: z
    .object({
      dir: DataFolderSchema.default("/var/lib/jetson-bridge/models"),
      minFreeBytes: z.number().int().nonnegative().default(1 << 30),
      /**
       * Origins on a loopback or link-local address ai.model_deploy may download from all the same (a model
       * server on the device itself, a test's); none by default: such a download could copy a service
       * meant for this machine alone into the store.
       */
      localSources: z.array(OriginSchema).optional(),
    })
    .prefault({}),
  ...AdminShape,
  /** Ports on 127.0.0.1 the cloud may open a time-limited tunnel to (open_device_port); none by default. This list is final, whatever the cloud asks. */
  tunnelPorts: z.array(z.number().int().min(1).max(65_535)).default([]),
  /** Jetsons this bridge serves over SSH (gateway mode), each a device of its own in the same fleet. */
  gateway: z.array(GatewayDeviceSchema).default([]),
});
export type BridgeConfig = z.infer<typeof BridgeConfigSchema>;

/** Environment variables that override the file, and where each goes. */
const ENVIRONMENT: ReadonlyArray<[variable: string, key: string, parse: (v: string) => unknown]> = [
  ["JETSON_BRIDGE_URL", "url", String],
  ["JETSON_BRIDGE_FLEET", "fleet", String],
  ["JETSON_BRIDGE_DEVICE_ID", "deviceId", String],
  ["JETSON_BRIDGE_TOKEN", "token", String],
  ["JETSON_BRIDGE_ROOT", "root", String],
  ["JETSON_BRIDGE_PROGRAM_DIRS", "programDirs", (v) => v.split(":").filter(Boolean)],
  ["JETSON_BRIDGE_STATE_DIR", "stateDir", String],
  ["JETSON_BRIDGE_KEEPALIVE_SECONDS", "keepaliveSeconds", Number],
];

export async function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv): Promise<BridgeConfig> {
  const fromFile = file ? await readJson(file) : {};
  const merged: Record<string, unknown> = { ...fromFile };
  for (const [variable, key, parse] of ENVIRONMENT) {
    const value = env[variable];
    if (value !== undefined && value !== "") merged[key] = parse(value);
  }
  const parsed = BridgeConfigSchema.safeParse(merged);
  const where = `Invalid bridge configuration${file ? ` in ${file}` : ""}`;
  if (!parsed.success) throw new ConfigError(`${where}:\n${configProblems(parsed.error)}`);
  // Here, not in the schema: it compares real paths on the device, and the schema stays pickable.
  const { stateDir, models, docker } = parsed.data;
  const overlap = await ownFolderInVolumeRoot({ stateDir, "models.dir": models.dir }, docker.volumeRoots);
  if (overlap) throw new ConfigError(`${where}:\n  docker.volumeRoots: ${overlap}`);
  return parsed.data;
}

/** One line per bad field, named by its path, so the operator knows what to fix. */
export function configProblems(error: z.ZodError): string {
  return error.issues.map((issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`).join("\n");
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`Cannot read configuration file ${file}: ${error.code ?? error.message}`);
  });
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`Configuration file ${file} is not a JSON object: ${(error as Error).message}`);
  }
}
