// Bundles the dashboard's client (client/main.ts and its stylesheet) into dist/, which the
// Worker imports as text. wrangler runs this as its build command (wrangler.jsonc "build").
// The in-chat panel (client/panel) is bundled from the same view modules into one HTML
// document with its script and styles inline: an MCP Apps view may load nothing else.
import { build } from "esbuild";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

const common = {
  absWorkingDir: here,
  bundle: true,
  target: "es2022",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
};

/**
 * A running `wrangler dev` watches the Worker's imports, these files among them, and may read one
 * while another build writes it: each is written whole beside it and renamed into place. A file
 * whose text is already that is left alone: rewritten, it reloads every running `wrangler dev` and
 * cuts its connections (each end-to-end test file builds as it starts, beside others running).
 */
async function writeWhole(file, text) {
  if ((await readFile(file, "utf8").catch(() => undefined)) === text) return;
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, text);
  await rename(partial, file);
}

const client = await build({
  ...common,
  entryPoints: { "client.bundle": "client/main.ts" },
  outdir: "dist",
  outExtension: { ".js": ".js" },
  format: "esm",
  write: false,
});
for (const file of client.outputFiles) await writeWhole(file.path, file.text);

/**
 * zod re-exports its every language's error messages as `z.locales`, which a bundler cannot
 * leave out; the panel uses none of them (English is built in), and they are most of its size.
 */
const withoutZodLocales = {
  name: "without-zod-locales",
  setup(builder) {
    builder.onResolve({ filter: /\/locales\/index\.js$/ }, (args) => (args.importer.includes("/node_modules/zod/") ? { path: "zod-locales", namespace: "empty" } : undefined));
    builder.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "export {};", loader: "js" }));
  },
};

const panel = await build({ ...common, entryPoints: { panel: "client/panel/main.ts" }, outdir: "dist", format: "iife", write: false, plugins: [withoutZodLocales] });
const output = (extension) => panel.outputFiles.find((file) => file.path.endsWith(extension))?.text ?? "";
const [script, styles] = [output(".js"), output(".css")];
// Inlined text must not close its own element early.
if (/<\/script/i.test(script) || /<\/style/i.test(styles)) throw new Error("The panel's bundle contains a closing </script> or </style>.");
const shell = await readFile(new URL("client/panel/panel.html", import.meta.url), "utf8");
// Functions as replacements: the bundle's `$&` and `$'` must stay as written.
const html = shell.replace("<!-- styles -->", () => styles).replace("<!-- script -->", () => script);
await writeWhole(fileURLToPath(new URL("dist/panel.bundle.html", import.meta.url)), html);
