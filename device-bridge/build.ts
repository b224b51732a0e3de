import { chmod, rename } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { BUNDLE_FILE, bundleOptions } from "./src/bundle/options.js";

/** `--version X.Y.Z` builds a release of that version, `--outfile` puts it elsewhere (relative to where it is run). */
const { values } = parseArgs({ options: { version: { type: "string" }, outfile: { type: "string" } } });
const outfile = values.outfile ? path.resolve(values.outfile) : BUNDLE_FILE;
// Written whole beside it and renamed into place: a test or an installer reading the bundle while
// another build runs gets the old file or the new one, never an empty or half-written one.
const partial = `${outfile}.${process.pid}.partial`;
await build({
  ...bundleOptions,
  outfile: partial,
  define: values.version ? { JETSON_BRIDGE_BUILD_VERSION: JSON.stringify(values.version) } : {},
});
await chmod(partial, 0o755);
await rename(partial, outfile);
process.stdout.write(`${outfile}\n`);
