import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { CloudUrlSchema, type EnrolledDevice, EnrolledDeviceSchema } from "@jetson/protocol";
import { ConfigError } from "./config-error.js";
import { replaceDurably } from "./durable-write.js";

/** Trades a one-time enrollment code for a device's own credential (POST /enroll needs no other token). */
export async function redeemEnrollmentCode(url: string, code: string): Promise<EnrolledDevice> {
  // The code and the credential it buys must not cross a network in clear text.
  const checked = CloudUrlSchema.safeParse(url);
  if (!checked.success) throw new ConfigError(`Refusing to enroll through ${url}: url ${checked.error.issues[0]?.message ?? "is not valid"}`);
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
  return EnrolledDeviceSchema.parse(body);
}

/** Redeems the code and writes the credential into the bridge's configuration (mode 0600, durably), keeping other fields. */
export async function enroll(url: string, code: string, configFile: string): Promise<{ fleet: string; deviceId: string }> {
  const enrolled = await redeemEnrollmentCode(url, code);
  const existing = await readFile(configFile, "utf8").then((text) => JSON.parse(text) as Record<string, unknown>, () => ({}));
  // The service's user reads the file, its own with mode 0600, through this folder: one made here lets
  // everyone through (mode 0755, whatever root's umask), and the file alone keeps the credential.
  const folder = path.dirname(configFile);
  const firstMade = await mkdir(folder, { recursive: true });
  // Every folder made here, from the first down to the file's own.
  for (let made = firstMade === undefined ? undefined : folder; made !== undefined; made = made === firstMade ? undefined : path.dirname(made)) {
    await chmod(made, 0o755);
  }
  const config: Record<string, unknown> = { ...existing, url, fleet: enrolled.fleet, deviceId: enrolled.deviceId, token: enrolled.token };
  // A fleet without an update key yet pins none (and an older key goes): that device refuses every update until it is enrolled again.
  if (enrolled.updateKey === undefined) delete config.updateKey;
  else config.updateKey = enrolled.updateKey;
  // Replaced whole, and on disk before enroll returns: a crash or power cut leaves the old file or the new one, never a
  // truncated one, and the credential the one-time code bought is not lost once reported. It keeps the owner of the
  // file it replaces (the service's user, who reads it), as writing in place did.
  const owner = await stat(configFile).then(({ uid, gid }) => ({ uid, gid }), () => undefined);
  await replaceDurably(configFile, `${JSON.stringify(config, null, 2)}\n`, owner);
  return { fleet: enrolled.fleet, deviceId: enrolled.deviceId };
}
