import type { FolderSize } from "@jetson/protocol";

/**
 * `du -0 -B1 ...` standard output: "BYTES<TAB>PATH<NUL>" per folder, innermost first. A folder's
 * name may hold a line break, never a NUL; a record without its NUL (output cut short) is left out.
 */
export function parseDu(text: string): FolderSize[] {
  const folders: FolderSize[] = [];
  for (const record of text.split("\0").slice(0, -1)) {
    const tab = record.indexOf("\t");
    const size = record.slice(0, tab);
    if (tab > 0 && /^\d+$/.test(size)) folders.push({ path: record.slice(tab + 1), bytes: Number(size) });
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
