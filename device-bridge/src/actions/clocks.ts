import { access, mkdir } from "node:fs/promises";
import path from "node:path";
import type { ClocksStatus } from "@jetson/protocol";
import type { HostPort, RunResult } from "../host/port.js";
import { parseJetsonClocksShow } from "../parsers/jetson-clocks.js";
import { ActionError, type HandlerTable } from "./types.js";

// In the bridge's state folder, so a restore after a bridge restart still finds it.
const SAVED_CLOCKS = "jetson_clocks.conf";

export const clocksHandlers = {
  "clocks.status": async (_input, { host }) => clocksStatus(host),

  "clocks.lock": async (_input, { host, stateDir }) => {
    // Saving while locked would overwrite the settings worth restoring with the locked ones.
    const saved = !(await clocksStatus(host)).lockedAtMax;
    if (saved) {
      await mkdir(stateDir, { recursive: true, mode: 0o700 });
      await jetsonClocks(host, ["--store", path.join(stateDir, SAVED_CLOCKS)]);
    }
    await jetsonClocks(host, []);
    return { status: await clocksStatus(host), saved };
  },

  "clocks.restore": async (_input, { host, stateDir }) => {
    const file = path.join(stateDir, SAVED_CLOCKS);
    if (!(await access(file).then(() => true, () => false))) {
      throw new ActionError(
        "unavailable",
        "No saved clock settings: clocks.lock saves them before it locks, and this bridge has not locked the clocks.",
      );
    }
    await jetsonClocks(host, ["--restore", file]);
    return { status: await clocksStatus(host) };
  },
} satisfies Partial<HandlerTable>;

async function clocksStatus(host: HostPort): Promise<ClocksStatus> {
  const result = await jetsonClocks(host, ["--show"]);
  try {
    return parseJetsonClocksShow(result.stdout);
  } catch (error) {
    throw new ActionError("handler_failed", `jetson_clocks --show: ${(error as Error).message}`);
  }
}

async function jetsonClocks(host: HostPort, args: string[]): Promise<RunResult> {
  const result = await host.run("jetson_clocks", args, { timeoutMs: 30_000 });
  if (result.exitCode === 0) return result;
  const detail = (result.stderr || result.stdout).trim() || `exit ${result.exitCode ?? result.signal}`;
  const code = /root|permission/i.test(detail) ? "permission_denied" : "handler_failed";
  throw new ActionError(code, `jetson_clocks ${args.join(" ")} failed: ${detail}`);
}
