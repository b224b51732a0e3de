import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { bundleOptions } from "./options.js";
import { COMMAND_MODULES, startupModules } from "./startup-modules.js";

const ENTRY = "src/cli/main.ts";

describe("the single-file bridge", async () => {
  const { metafile, outputFiles } = await build({ ...bundleOptions, metafile: true, write: false });
  const bundled = Object.keys(metafile.inputs);

  it("starts without the code of SSH, containers, AI, GPIO and system administration, which stays in its one file", () => {
    const atStart = startupModules(metafile, ENTRY, ...COMMAND_MODULES.run);
    // The Engine API client and the model store stay: workloads hold them, and they cost little.
    const lazy = [
      /node_modules\/ssh2\//,
      /^src\/host\/ssh-/,
      /^src\/gateway\.ts$/,
      /^src\/actions\/(containers|ai|gpio|sysadmin)\.ts$/,
      /^src\/containers\/(launch|log-stream|pull|stats|summaries)\.ts$/,
      /^src\/ai\/(model-download|trtexec|serving|frameworks)\.ts$/,
      /^src\/gpio\//,
    ];
    for (const pattern of lazy) {
      expect(atStart.filter((file) => pattern.test(file)), String(pattern)).toEqual([]);
      expect(bundled.some((file) => pattern.test(file)), String(pattern)).toBe(true);
    }
    expect(atStart).toContain("src/link/mqtt-link.ts");
    expect(outputFiles.map((file) => file.path)).toEqual([bundleOptions.outfile]);
  });

  it("launches without the bridge's code: no zod, protocol, mqtt.js or handlers load before it chose the release, whose own copies then load", () => {
    const atStart = startupModules(metafile, ENTRY, ...COMMAND_MODULES.launch);
    const bridgeOnly = [/node_modules\/(zod|mqtt|ws|ssh2)\//, /^\.\.\/protocol\//, /^src\/(bridge|config|dispatcher)\.ts$/, /^src\/(actions|link|telemetry)\//];
    for (const pattern of bridgeOnly) expect(atStart.filter((file) => pattern.test(file)), String(pattern)).toEqual([]);
    expect(atStart).toContain("src/update/launcher.ts");
  });

  it("reads an update's pending.json at launch with the protocol's releases module alone, since what launch loads stays beside the release", () => {
    const onTrial = startupModules(metafile, "src/update/pending-update.ts");
    expect(onTrial.filter((file) => file.startsWith("../protocol/"))).toEqual(["../protocol/src/device-text.ts", "../protocol/src/releases.ts"]);
  });
});
