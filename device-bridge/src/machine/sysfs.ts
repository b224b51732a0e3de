import type { HostPort } from "../host/port.js";

/** An integer sysfs value; undefined when the file is missing, unreadable or not a number. */
export async function readInt(host: HostPort, path: string): Promise<number | undefined> {
  const text = await host.readFile(path);
  if (text === undefined) return undefined;
  const value = Number.parseInt(text.trim(), 10);
  return Number.isFinite(value) ? value : undefined;
}

/** A one-word sysfs attribute without its newline (or a device-tree property without its NUL). */
export async function readWord(host: HostPort, path: string): Promise<string | undefined> {
  const text = (await host.readFile(path))?.replace(/[\0\s]+$/, "");
  return text === "" ? undefined : text;
}

/** Entries of a folder named `<prefix><number>`, in number order (thermal_zone2 before thermal_zone10). */
export async function numberedEntries(host: HostPort, dir: string, prefix: string): Promise<string[]> {
  const pattern = new RegExp(`^${prefix}(\\d+)$`);
  return (await host.listDir(dir))
    .map((name) => ({ name, n: Number(pattern.exec(name)?.[1]) }))
    .filter(({ n }) => Number.isInteger(n))
    .sort((a, b) => a.n - b.n)
    .map(({ name }) => name);
}
