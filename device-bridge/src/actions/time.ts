import { parseTimedatectlShow, parseTimedatectlStatus } from "../parsers/timedatectl.js";
import { programFailed, runChecked } from "./run-checked.js";
import type { HandlerTable } from "./types.js";

export const timeHandlers = {
  "time.status": async (_input, { host }) => {
    const show = await host.run("timedatectl", ["show"], { timeoutMs: 10_000 });
    if (show.exitCode === 0) return parseTimedatectlShow(show.stdout);
    // systemd before 239 (JetPack 4) has no `show`, only the human layout.
    if (!/Unknown (?:operation|command verb)/.test(show.stderr)) throw programFailed("timedatectl", ["show"], show);
    return parseTimedatectlStatus((await runChecked(host, "timedatectl", ["status"], { timeoutMs: 10_000 })).stdout);
  },
} satisfies Partial<HandlerTable>;
