import type { Metafile } from "esbuild";

/**
 * The bundle's inputs that run when it starts: those the entries (the file's entry, and the modules
 * a command imports as it starts) reach through static imports and requires. What only a dynamic
 * `import()` reaches stays in the same file, wrapped by esbuild so that it initialises on first use.
 */
export function startupModules(metafile: Metafile, ...entries: string[]): string[] {
  const reached = new Set<string>(entries);
  const pending = [...entries];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    for (const { path, kind, external } of metafile.inputs[file]?.imports ?? []) {
      if (external || kind === "dynamic-import" || reached.has(path)) continue;
      reached.add(path);
      pending.push(path);
    }
  }
  return [...reached].sort();
}

/** The modules each long-running command of src/cli/main.ts imports as it starts, besides that entry. */
export const COMMAND_MODULES = {
  run: ["src/bridge.ts", "src/config.ts"],
  launch: ["src/update/launcher.ts"],
} as const;
