// Which power mode and boot the settings clocks.lock saved belong to: jetson_clocks' file does not say,
// and restoring another mode's settings would lift the clocks past the current mode's limits.
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { HostPort } from "../host/port.js";
import { reportedPowerMode } from "../machine/power-modes.js";
import { replaceDurably } from "../durable-write.js";

const RECORD_FILE = "saved-clocks.json";
const BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id";

// Either is absent where the board gave none (no nvpmodel, no boot id): then the other tells the saves apart.
const SavedClocksRecordSchema = z.object({
  powerModeId: z.number().int().optional(),
  bootId: z.string().optional(),
});
type SavedClocksRecord = z.infer<typeof SavedClocksRecordSchema>;

async function currentRecord(host: HostPort): Promise<SavedClocksRecord> {
  const powerModeId = (await reportedPowerMode(host))?.id;
  const bootId = (await host.readFile(BOOT_ID_FILE))?.trim() || undefined;
  return { powerModeId, bootId };
}

/** Notes, in the bridge's own state folder, that the settings just saved are the current mode's in this boot. */
export async function recordSavedClocks(host: HostPort, stateDir: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await replaceDurably(path.join(stateDir, RECORD_FILE), JSON.stringify(await currentRecord(host)));
}

/** Whether the saved settings are the current power mode's, saved in this boot; false where nothing says so. */
export async function savedClocksAreCurrent(host: HostPort, stateDir: string): Promise<boolean> {
  const text = await readFile(path.join(stateDir, RECORD_FILE), "utf8").catch(() => undefined);
  if (text === undefined) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  const saved = SavedClocksRecordSchema.safeParse(parsed);
  if (!saved.success) return false;
  const current = await currentRecord(host);
  return saved.data.powerModeId === current.powerModeId && saved.data.bootId === current.bootId;
}
