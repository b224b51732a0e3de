import { chmod } from "node:fs/promises";
import { build } from "esbuild";
import { BUNDLE_FILE, bundleOptions } from "./src/bundle/options.js";

await build(bundleOptions);
await chmod(BUNDLE_FILE, 0o755);
process.stdout.write(`${BUNDLE_FILE}\n`);
