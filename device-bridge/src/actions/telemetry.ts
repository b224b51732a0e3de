import type { TelemetrySample } from "@jetson/protocol";
import { parseTegrastatsLine } from "../parsers/tegrastats.js";
import { sampleOnce } from "../telemetry/sampler.js";
import { ActionError } from "../action-error.js";
import { type HandlerTable } from "./types.js";

export const telemetryHandlers = {
  "telemetry.watch": async ({ seconds, intervalMs }, { host, progress, signal }) => {
    const expected = Math.max(1, Math.floor((seconds * 1000) / intervalMs));
    const samples: TelemetrySample[] = [];
    const stop = new AbortController();
    // The window opens with the first sample, so a slow start of tegrastats does not cost samples;
    // the run's own timeout still bounds a tegrastats that never prints.
    let timer: NodeJS.Timeout | undefined;
    signal.addEventListener("abort", () => stop.abort(), { once: true });
    try {
      const result = await host.run("tegrastats", ["--interval", String(intervalMs)], {
        signal: stop.signal,
        timeoutMs: seconds * 1000 + 10_000,
        onStdoutLine: (line) => {
          if (!line.trim() || samples.length >= expected) return;
          const sample = readable(line);
          if (!sample) return;
          samples.push(sample);
          timer ??= setTimeout(() => stop.abort(), seconds * 1000 + intervalMs / 2);
          progress(samples.length, expected, `sample ${samples.length} of ${expected}`);
          if (samples.length >= expected) stop.abort();
        },
      });
      // Stopped by its command's signal (a cancel, the bridge stopping): the samples so far are not the watch asked for.
      signal.throwIfAborted();
      if (!result.aborted && result.exitCode !== 0) {
        throw new ActionError("handler_failed", `tegrastats failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
      }
    } finally {
      clearTimeout(timer);
    }
    return { samples };
  },

  "telemetry.now": async (_input, { host }) => {
    const t = Date.now();
    return { ...(await sampleOnce(host)), t };
  },
} satisfies Partial<HandlerTable>;

/** tegrastats may print a warning line among its samples; such a line is skipped, not fatal. */
function readable(line: string): TelemetrySample | undefined {
  try {
    return parseTegrastatsLine(line);
  } catch {
    return undefined;
  }
}
