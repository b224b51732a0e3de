/**
 * Whether `value` matches `pattern`, where `*` stands for any run of characters (case ignored).
 * No RegExp: a backtracking regex takes exponential time on `*a*a*a*…b`; this greedy walk,
 * going back only to the last `*`, takes at most pattern × value steps.
 */
export function globMatches(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  let pi = 0;
  let vi = 0;
  /** Where the last `*` was, and the value position it is currently stretched to. */
  let star = -1;
  let resume = 0;
  while (vi < v.length) {
    if (pi < p.length && p[pi] === "*") {
      star = pi++;
      resume = vi;
    } else if (pi < p.length && p[pi] === v[vi]) {
      pi++;
      vi++;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}
