import type { ClocksStatus } from "@jetson/protocol";
import type { HostPort, RunResult } from "../host/port.js";
import { CLOCKS_LOCK, CLOCKS_RESTORE, CLOCKS_SHOW, CLOCKS_STORE, SAVED_CLOCKS_DIR, SAVED_CLOCKS_FILE } from "../machine/jetson-clocks-commands.js";
import { parseJetsonClocksShow } from "../parsers/jetson-clocks.js";
import { ActionError, type HandlerTable } from "./types.js";

export const clocksHandlers = {
  "clocks.status": async (_input, { host }) => clocksStatus(host),

  "clocks.lock": async (_input, { host }) => {
    // Saving while locked would overwrite the settings worth restoring with the locked ones.
    const saved = !(await clocksStatus(host)).lockedAtMax;
    if (saved) {
      if ((await host.statFs(SAVED_CLOCKS_DIR)) === undefined) {
        throw new ActionError(
          "unavailable",
          `${SAVED_CLOCKS_DIR} is missing: it holds the settings clocks.restore brings back and only root may write it. Create it (sudo install -d -m 0755 -o root -g root ${SAVED_CLOCKS_DIR}) or provision the device again.`,
        );
      }
      await jetsonClocks(host, CLOCKS_STORE);
    }
    await jetsonClocks(host, CLOCKS_LOCK);
    return { status: await clocksStatus(host), saved };
  },

  "clocks.restore": async (_input, { host }) => {
    if ((await host.readFile(SAVED_CLOCKS_FILE)) === undefined) {
      throw new ActionError(
        "unavailable",
        "No saved clock settings: clocks.lock saves them before it locks, and this bridge has not locked the clocks.",
      );
    }
    await jetsonClocks(host, CLOCKS_RESTORE);
    return { status: await clocksStatus(host) };
  },
} satisfies Partial<HandlerTable>;

async function clocksStatus(host: HostPort): Promise<ClocksStatus> {
  const result = await jetsonClocks(host, CLOCKS_SHOW);
  try {
    return parseJetsonClocksShow(result.stdout);
  } catch (error) {
    throw new ActionError("handler_failed", `jetson_clocks --show: ${(error as Error).message}`);
  }
}

async function jetsonClocks(host: HostPort, args: readonly string[]): Promise<RunResult> {
  const result = await host.run("jetson_clocks", args, { timeoutMs: 30_000 });
  if (result.exitCode === 0) return result;
  const detail = (result.stderr || result.stdout).trim() || `exit ${result.exitCode ?? result.signal}`;
  const code = /root|permission/i.test(detail) ? "permission_denied" : "handler_failed";
  throw new ActionError(code, `jetson_clocks ${args.join(" ")} failed: ${detail}`);
}
