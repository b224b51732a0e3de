import { chmod } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { BUNDLE_FILE, bundleOptions } from "./src/bundle/options.js";

/** `--version X.Y.Z` builds a release of that version, `--outfile` puts it elsewhere (relative to where it is run). */
const { values } = parseArgs({ options: { version: { type: "string" }, outfile: { type: "string" } } });
const outfile = values.outfile ? path.resolve(values.outfile) : BUNDLE_FILE;
await build({
  ...bundleOptions,
  outfile,
  define: values.version ? { JETSON_BRIDGE_BUILD_VERSION: JSON.stringify(values.version) } : {},
});
await chmod(outfile, 0o755);
process.stdout.write(`${outfile}\n`);
