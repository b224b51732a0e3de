import { chmod } from "node:fs/promises";
import { parseArgs } from "node:util";
import { build } from "esbuild";

/**
 * One file a Jetson runs with its own Node (18 or newer, JetPack 5 and 6):
 * `node jetson-bridge.mjs run`. mqtt.js, ws and ssh2 are CommonJS, hence the require,
 * __filename and __dirname shims. `--version X.Y.Z` builds a release of that version, `--outfile` puts it elsewhere.
 */
const { values } = parseArgs({ options: { version: { type: "string" }, outfile: { type: "string" } } });
const outfile = values.outfile ?? "dist/jetson-bridge.mjs";
await build({
  entryPoints: ["src/cli/main.ts"],
  bundle: true,
  platform: "node",
  target: "node18",
  format: "esm",
  outfile,
  // Native speed-ups that ws and ssh2 load only when present; without them both fall back to JavaScript.
  external: ["bufferutil", "utf-8-validate", "cpu-features", "*.node"],
  banner: {
    js: [
      "#!/usr/bin/env node",
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      "import { dirname as __pathDirname } from 'node:path';",
      "const require = __createRequire(import.meta.url);",
      "const __filename = __fileURLToPath(import.meta.url);",
      "const __dirname = __pathDirname(__filename);",
    ].join("\n"),
  },
  define: values.version ? { JETSON_BRIDGE_BUILD_VERSION: JSON.stringify(values.version) } : {},
  legalComments: "none",
  logLevel: "warning",
});
await chmod(outfile, 0o755);
process.stdout.write(`${outfile}\n`);
