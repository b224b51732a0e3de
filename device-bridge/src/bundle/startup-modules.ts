import type { Metafile } from "esbuild";

/**
 * The bundle's inputs that run when it starts: those the entry reaches through static imports and
 * requires. What only a dynamic `import()` reaches stays in the same file, wrapped by esbuild so
 * that it initialises on first use.
 */
export function startupModules(metafile: Metafile, entry: string): string[] {
  const reached = new Set<string>([entry]);
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    for (const { path, kind, external } of metafile.inputs[file]?.imports ?? []) {
      if (external || kind === "dynamic-import" || reached.has(path)) continue;
      reached.add(path);
      pending.push(path);
    }
  }
  return [...reached].sort();
}
