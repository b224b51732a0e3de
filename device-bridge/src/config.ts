import { readFile } from "node:fs/promises";
import { DeviceIdSchema, FleetIdSchema } from "@jetson/protocol";
import { z } from "zod";
import { PRIVILEGED_PROGRAMS, type PrivilegedProgram } from "./host/privileged.js";

export const BridgeConfigSchema = z.object({
  /** The Worker's base URL (http, https, ws or wss). */
  url: z.url({ protocol: /^(https?|wss?)$/ }),
  fleet: FleetIdSchema,
  deviceId: DeviceIdSchema,
  token: z.string().min(16, "device token is at least 16 characters"),
  /** Where the machine's `/` is; a simulated Jetson uses its generated folder. */
  root: z.string().startsWith("/").default("/"),
  programDirs: z.array(z.string().startsWith("/")).min(1).default(["/usr/sbin", "/usr/bin", "/sbin", "/bin"]),
  stateDir: z.string().startsWith("/").default("/var/lib/jetson-bridge"),
  keepaliveSeconds: z.number().int().min(10).max(1200).default(60),
  reconnect: z
    .object({ minMs: z.number().int().positive().default(500), maxMs: z.number().int().positive().default(30_000) })
    .prefault({}),
  /** Programs run through sudo; empty where the bridge runs as a user that needs none (a simulation). */
  sudo: z
    .object({
      path: z.string().startsWith("/").default("/usr/bin/sudo"),
      programs: z.array(z.enum(Object.keys(PRIVILEGED_PROGRAMS) as [PrivilegedProgram, ...PrivilegedProgram[]])).default([]),
    })
    .prefault({}),
  limits: z
    .object({
      runTimeoutMs: z.number().int().positive().default(60_000),
      maxOutputBytes: z.number().int().positive().default(1 << 20),
    })
    .prefault({}),
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

export class ConfigError extends Error {}

export async function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv): Promise<BridgeConfig> {
  const fromFile = file ? await readJson(file) : {};
  const merged: Record<string, unknown> = { ...fromFile };
  for (const [variable, key, parse] of ENVIRONMENT) {
    const value = env[variable];
    if (value !== undefined && value !== "") merged[key] = parse(value);
  }
  const parsed = BridgeConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new ConfigError(`Invalid bridge configuration${file ? ` in ${file}` : ""}:\n${problems.join("\n")}`);
  }
  return parsed.data;
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
