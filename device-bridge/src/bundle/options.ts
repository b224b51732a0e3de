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
      // Set before any module of the bundle initialises. The bridge is idle but for a sample a second:
      // without TurboFan (its code in Node's binary never paged in, nor optimised code kept) and with
      // V8's heuristics for size, it stays about 7 MB smaller for no CPU share that bench/bridge-footprint.ts
      // can tell apart. Neither flag can be given in NODE_OPTIONS, and the unit's ExecStart is fixed
      // by provisioning. WebAssembly (ssh2's Poly1305 in gateway mode) keeps its own compilers.
      "import { setFlagsFromString as __v8Flags } from 'node:v8';",
      "__v8Flags('--optimize-for-size');",
      "__v8Flags('--no-opt');",
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
