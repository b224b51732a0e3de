import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NodeHost } from "../host/node-host.js";
import type { Logger } from "../log.js";
import { TegrastatsStream } from "./tegrastats-stream.js";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let cleanup: () => Promise<void> = async () => undefined;
afterEach(() => cleanup());

/** A host whose `tegrastats` prints `line` every 20 ms until stopped. */
async function hostPrinting(line: string): Promise<NodeHost> {
  const dir = await mkdtemp(path.join(tmpdir(), "tegrastats-stream-"));
  const bin = path.join(dir, "bin");
  await mkdir(bin);
  await writeFile(path.join(bin, "tegrastats"), `#!/bin/sh\nwhile :; do printf '%s\\n' '${line}'; sleep 0.02; done\n`);
  await chmod(path.join(bin, "tegrastats"), 0o755);
  cleanup = () => rm(dir, { recursive: true, force: true });
  return new NodeHost({ root: dir, programDirs: [bin], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20 });
}

describe("the tegrastats stream", () => {
  it("keeps every readable field of a line with one it cannot read, counting that field and logging it once", async () => {
    const host = await hostPrinting("RAM 1024/3964MB (lfb 2x2MB) CPU [5%@1224,off] GR3D_FREQ busy cpu@40C VDD_IN 900/850");
    const warnings: string[] = [];
    const log: Logger = { debug: () => undefined, info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined };
    const stream = new TegrastatsStream(host, 20, log);
    try {
      stream.ensureRunning();
      while ((stream.unreadCounts.get("GR3D_FREQ") ?? 0) < 3) await pause(20);
      expect(stream.latest(60_000)).toStrictEqual({
        ram: { usedMB: 1024, totalMB: 3964 },
        cpus: [{ loadPct: 5, freqMHz: 1224 }, { online: false }],
        tempsC: { cpu: 40 },
        powerMW: { VDD_IN: { now: 900, avg: 850 } },
        totalPowerMW: 900,
      });
      expect(warnings).toEqual(['tegrastats: cannot read "GR3D_FREQ busy"; left out, the rest of each line is kept (logged once)']);
    } finally {
      stream.stop();
    }
  });
});
