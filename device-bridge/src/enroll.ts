import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { EnrolledDeviceSchema } from "@jetson/protocol";

export const DEFAULT_CONFIG_FILE = "/etc/jetson-bridge/config.json";

/**
 * Trades a one-time enrollment code for this device's own credential and
 * writes it into the bridge's configuration (mode 0600), keeping other fields.
 */
export async function enroll(url: string, code: string, configFile: string): Promise<{ fleet: string; deviceId: string }> {
  const response = await fetch(new URL("/enroll", url), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code }),
  });
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = (body as { error?: unknown }).error;
    throw new Error(`Enrollment refused (${response.status}): ${typeof message === "string" ? message : "no reason given"}`);
  }
  const enrolled = EnrolledDeviceSchema.parse(body);
  const existing = await readFile(configFile, "utf8").then((text) => JSON.parse(text) as Record<string, unknown>, () => ({}));
  await mkdir(path.dirname(configFile), { recursive: true, mode: 0o700 });
  const config = { ...existing, url, fleet: enrolled.fleet, deviceId: enrolled.deviceId, token: enrolled.token };
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only when it creates the file.
  await chmod(configFile, 0o600);
  return { fleet: enrolled.fleet, deviceId: enrolled.deviceId };
}
