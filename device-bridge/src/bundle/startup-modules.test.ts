import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { bundleOptions } from "./options.js";
import { startupModules } from "./startup-modules.js";

describe("the single-file bridge", () => {
  it("starts without the code of SSH, containers, AI, GPIO and system administration, which stays in its one file", async () => {
    const { metafile, outputFiles } = await build({ ...bundleOptions, metafile: true, write: false });
    const atStart = startupModules(metafile, "src/cli/main.ts");
    const bundled = Object.keys(metafile.inputs);
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
});
