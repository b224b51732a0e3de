import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NodeHost } from "../host/node-host.js";
import { parseAptSummary } from "../parsers/apt.js";
import { aptGet } from "./apt-get.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "apt-get-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A host whose apt-get is this shell script. */
async function hostWithAptGet(script: string): Promise<NodeHost> {
  await writeFile(path.join(dir, "apt-get"), `#!/bin/sh\n${script}\n`);
  await chmod(path.join(dir, "apt-get"), 0o755);
  return new NodeHost({ root: dir, programDirs: [dir, "/usr/bin", "/bin"], defaultTimeoutMs: 60_000, defaultMaxOutputBytes: 1 << 20 });
}

describe("apt-get", () => {
  it("answers with the last lines, the summary and the warnings of a run that prints far past its output cap", async () => {
    // 20 MB of output in lines of 1,000 bytes, five times the 4 MiB cap, with apt's summary first and a warning last.
    const host = await hostWithAptGet(
      [
        'echo "1 upgraded, 2 newly installed, 0 to remove and 5 not upgraded."',
        `yes "Unpacking $(head -c 980 /dev/zero | tr '\\0' x)" | head -n 20000`,
        'echo "W: Possible missing firmware /lib/firmware/rtl_nic/rtl8125b-2.fw"',
        'echo "Setting up htop (3.0.5-7build2) ..."',
        'echo "E: Sub-process /usr/bin/dpkg returned an error code (1)" >&2',
      ].join("\n"),
    );
    const run = await aptGet(host, { operation: "install", names: ["htop"] }, () => undefined, new AbortController().signal);
    expect(run.output.length).toBeLessThanOrEqual(1_010);
    expect(parseAptSummary(run.output.join("\n"))).toEqual({ upgraded: 1, newlyInstalled: 2, removed: 0, notUpgraded: 5 });
    expect(run.output.slice(-3)).toEqual([
      "W: Possible missing firmware /lib/firmware/rtl_nic/rtl8125b-2.fw",
      "Setting up htop (3.0.5-7build2) ...",
      "E: Sub-process /usr/bin/dpkg returned an error code (1)",
    ]);
    expect(run.output).toContain("[19003 earlier lines of apt-get output not kept]");
    expect(run.warnings).toEqual(["W: Possible missing firmware /lib/firmware/rtl_nic/rtl8125b-2.fw", "E: Sub-process /usr/bin/dpkg returned an error code (1)"]);
  });
});
