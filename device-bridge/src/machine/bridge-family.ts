import type { ProcessInfo } from "@jetson/protocol";

/**
 * The processes processes.kill must never signal: the bridge, every ancestor up to init (its
 * service manager, a shell, sudo) and every descendant (programs it runs right now).
 */
export function bridgeFamily(table: readonly ProcessInfo[], self: number, parent: number): Set<number> {
  const family = new Set([self, parent]);
  const parentOf = new Map(table.map((p) => [p.pid, p.ppid]));
  for (let pid = parentOf.get(parent); pid !== undefined && pid > 1 && !family.has(pid); pid = parentOf.get(pid)) family.add(pid);
  const children = new Map<number, number[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const queue = [self];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    for (const child of children.get(pid) ?? []) {
      if (!family.has(child)) {
        family.add(child);
        queue.push(child);
      }
    }
  }
  return family;
}
