import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";

/** The device-bridge package folder, which esbuild's paths are relative to. */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BUNDLE_FILE = path.join(PACKAGE_DIR, "dist/jetson-bridge.mjs");

/**
 * One file a Jetson runs with its own Node (18 or newer, JetPack 5 and 6):
 * `node jetson-bridge.mjs run`. mqtt.js, ws and ssh2 are CommonJS, hence the require,
 * __filename and __dirname shims.
 */
export const bundleOptions = {
  absWorkingDir: PACKAGE_DIR,
  entryPoints: ["src/cli/main.ts"],
  bundle: true,
  platform: "node",
  target: "node18",
  format: "esm",
  outfile: BUNDLE_FILE,
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
  legalComments: "none",
  // V8 keeps the whole source in memory, two bytes a character if one is not Latin-1: without comments
  // and indentation it is a third smaller. Names stay, so stack traces still say where.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
} satisfies BuildOptions;
