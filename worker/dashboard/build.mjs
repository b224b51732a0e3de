// Bundles the dashboard's client (client/main.ts and its stylesheet) into dist/, which the
// Worker imports as text. wrangler runs this as its build command (wrangler.jsonc "build").
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

await build({
  absWorkingDir: here,
  entryPoints: { "client.bundle": "client/main.ts" },
  outdir: "dist",
  outExtension: { ".js": ".js" },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
});
