import type { FolderSize } from "@jetson/protocol";

/** `du -B1 ...` standard output: "BYTES<TAB>PATH" per folder, innermost first. */
export function parseDu(text: string): FolderSize[] {
  const folders: FolderSize[] = [];
  for (const line of text.split("\n")) {
    const tab = line.indexOf("\t");
    const size = line.slice(0, tab);
    if (tab > 0 && /^\d+$/.test(size)) folders.push({ path: line.slice(tab + 1), bytes: Number(size) });
  }
  return folders;
}

// GNU du under LANG=C: "du: cannot read directory '/root': Permission denied".
const DENIED = /^du: cannot (?:read directory|open directory|access) '(.*)': Permission denied$/;

/** Folders du's standard error says it could not read. */
export function parseDuDenied(stderr: string): string[] {
  return stderr
    .split("\n")
    .map((line) => DENIED.exec(line)?.[1])
    .filter((folder): folder is string => folder !== undefined);
}
