import type { CurrentPowerMode, PowerMode, PowerModeTable } from "@jetson/protocol";
import { ActionError } from "../action-error.js";
import type { HostPort } from "../host/port.js";
import { parseNvpmodelConf, parseNvpmodelQuery } from "../parsers/nvpmodel.js";
import { NVPMODEL_QUERY, NVPMODEL_TABLE, nvpmodelSetArgs } from "./nvpmodel-commands.js";

const NVPMODEL_TIMEOUT_MS = 30_000;
/** The state goes out on every connect; a hung nvpmodel must not delay it long. */
const STATE_READ_TIMEOUT_MS = 5_000;

/**
 * The board's own mode table: /etc/nvpmodel.conf (a link to the board's file under /etc/nvpower),
 * or what `nvpmodel -p --verbose` parsed where the file is elsewhere.
 */
export async function readPowerModeTable(host: HostPort): Promise<PowerModeTable> {
  const conf = await host.readFile("/etc/nvpmodel.conf");
  if (conf !== undefined) {
    try {
      return parseNvpmodelConf(conf);
    } catch {
      // A vendor's file nvpmodel cannot read either: ask nvpmodel for the table it uses.
    }
  }
  const result = await host.run("nvpmodel", NVPMODEL_TABLE, { timeoutMs: NVPMODEL_TIMEOUT_MS });
  try {
    return parseNvpmodelConf(result.stdout);
  } catch (error) {
    const reason = (error as Error).message;
    throw new ActionError("not_supported", `No power mode table: /etc/nvpmodel.conf is unreadable and nvpmodel -p gave none (${reason}).`);
  }
}

/** The active mode from `nvpmodel -q`. */
export async function queryPowerMode(host: HostPort, timeoutMs = NVPMODEL_TIMEOUT_MS): Promise<CurrentPowerMode> {
  const result = await host.run("nvpmodel", NVPMODEL_QUERY, { timeoutMs });
  try {
    return parseNvpmodelQuery(result.stdout);
  } catch (error) {
    const detail = result.stderr.trim() || (error as Error).message;
    throw new ActionError("handler_failed", `nvpmodel -q did not say the current mode (exit ${result.exitCode}): ${detail}`);
  }
}

/**
 * The active mode for the state the device reports: none where nvpmodel is missing (not a
 * Jetson, a container without it) or fails, which must not hold back the rest of the state.
 */
export function reportedPowerMode(host: HostPort): Promise<CurrentPowerMode | undefined> {
  return queryPowerMode(host, STATE_READ_TIMEOUT_MS).catch(() => undefined);
}

/** A mode as a caller chooses it: by its id on this board, or by its nvpmodel name. */
export interface ModeChoice {
  id?: number;
  name?: string;
}

/** A mode of the board's table, or a refusal that lists the valid ones. Names match without regard to case. */
export function modeOf(table: PowerModeTable, { id, name }: ModeChoice): PowerMode {
  const wanted = name?.toUpperCase();
  const mode = table.modes.find((m) => (wanted === undefined ? m.id === id : m.name.toUpperCase() === wanted));
  if (mode) return mode;
  throw new ActionError(
    "invalid_input",
    `Power mode ${name ?? id} does not exist on this board. Valid modes: ${table.modes.map((m) => `${m.id} (${m.name})`).join(", ")}.`,
  );
}

/**
 * Whether nvpmodel needs a reboot to go from the active mode to another: the GPU's TPC power gating
 * (TPC_PG_MASK) changes only at boot, so a mode that sets a different mask waits for one (jtop's rule too).
 * A mode that sets no mask leaves the active one; with the active mode unknown, a mask may differ.
 */
export function switchNeedsReboot(active: PowerMode | undefined, target: PowerMode): boolean {
  if (active?.id === target.id) return false;
  const mask = target.params.tpcPgMask;
  return mask !== undefined && mask !== active?.params.tpcPgMask;
}

/** `nvpmodel -m ID`, answering its reboot question with `answer` so it never waits on standard input. */
export function runNvpmodelSet(host: HostPort, id: number, answer: "YES" | "NO") {
  return host.run("nvpmodel", nvpmodelSetArgs(id), { stdin: `${answer}\n`, timeoutMs: 60_000 });
}
