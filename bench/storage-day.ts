import { startOwnWorker } from "./own-worker.js";
import type { StorageFigure } from "./storage/figure.js";

/** A busy device: a command every 10 s, all day. */
const COMMAND_EVERY_MS = 10_000;
/** A busy fleet: 100 devices, each a command a minute (144,000 audit rows a day, all in that day's shard of the trail). */
const FLEET = { devices: 100, everyMs: 60_000 };

const mib = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;
const figure = ({ rows, bytes, maxRows }: StorageFigure) => ({ rows, maxRows, MiB: mib(bytes), bytesPerRow: Math.round(bytes / Math.max(rows, 1)) });

/**
 * Storage after a simulated day, in workerd's SQLite: the Worker's own stores fed by a
 * clock this bench drives (bench/storage/worker.ts), so a day takes seconds.
 */
export async function benchStorageDay(dir: string) {
  const worker = await startOwnWorker("storage", dir);
  try {
    const get = async (pathname: string): Promise<StorageFigure> => {
      const response = await fetch(`${worker.url}${pathname}`);
      if (!response.ok) throw new Error(`${pathname}: ${response.status} ${await response.text()}`);
      return (await response.json()) as StorageFigure;
    };
    const ledger = await get(`/ledger?everyMs=${COMMAND_EVERY_MS}`);
    const audit = await get(`/audit?devices=${FLEET.devices}&everyMs=${FLEET.everyMs}`);
    const telemetry = await get("/telemetry");
    return {
      [`per device: command ledger, a command every ${COMMAND_EVERY_MS / 1000} s (${86_400_000 / COMMAND_EVERY_MS} a day)`]: figure(ledger),
      "per device: telemetry at 1 Hz, raw samples (rows) and the day's 1-minute rollups": figure(telemetry),
      [`per fleet and day: the day's audit shard, ${FLEET.devices} devices each a command a minute`]: figure(audit),
    };
  } finally {
    await worker.stop();
  }
}
