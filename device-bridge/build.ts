import { chmod } from "node:fs/promises";
import { build } from "esbuild";

/**
 * One file a Jetson runs with its own Node (18 or newer, JetPack 5 and 6):
 * `node jetson-bridge.mjs run`. mqtt.js and ws are CommonJS, hence the require shim.
 */
const outfile = "dist/jetson-bridge.mjs";
await build({
  entryPoints: ["src/cli/main.ts"],
  bundle: true,
  platform: "node",
  target: "node18",
  format: "esm",
  outfile,
  // ws loads these native speed-ups only when present.
  external: ["bufferutil", "utf-8-validate"],
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
  legalComments: "none",
  logLevel: "warning",
});
await chmod(outfile, 0o755);
process.stdout.write(`${outfile}\n`);
