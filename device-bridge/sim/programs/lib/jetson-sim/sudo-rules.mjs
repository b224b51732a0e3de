// Which command lines a user's sudoers rules allow, as sudo(8) decides it for the rules the bridge and
// its tests write: `USER HOST=(RUNAS) [NOPASSWD:] CMND[, CMND...]`. A CMND of ALL allows everything;
// a path alone allows that program with any arguments; a path with "" allows it with none; a path with
// arguments allows the argument string they match, where *, ? and [...] are wildcards (fnmatch without
// FNM_PATHNAME, so * matches spaces and options too) and a backslash makes the next character literal.
// The last rule that matches decides, as in sudo.

/** { allowed, nopasswd } for running `program args...` as root, from sudoers texts. */
export function decide(texts, user, program, args) {
  let verdict = { allowed: false, nopasswd: false };
  for (const text of texts) {
    for (const line of text.split("\n")) {
      const m = /^(\S+)\s+\S+\s*=\s*(?:\(([^)]*)\)\s*)?((?:[A-Z_]+:\s*)*)(.+)$/.exec(line.trim());
      if (!m || m[1] !== user || line.trim().startsWith("Defaults") || line.trim().startsWith("#")) continue;
      const runas = m[2] ?? "root";
      if (!/^(ALL|root)(\s*:.*)?$/.test(runas.trim())) continue;
      const tags = m[3];
      for (const spec of splitUnescaped(m[4], ",")) {
        if (commandMatches(spec.trim(), program, args)) verdict = { allowed: true, nopasswd: /NOPASSWD:/.test(tags) };
      }
    }
  }
  return verdict;
}

function commandMatches(spec, program, args) {
  if (spec === "ALL") return true;
  const [path, ...rest] = splitUnescaped(spec, " ").filter(Boolean);
  if (path !== program) return false;
  if (rest.length === 0) return true;
  const pattern = rest.join(" ");
  if (pattern === '""') return args.length === 0;
  return fnmatch(pattern, args.join(" "));
}

/** Splits at `separator` where no backslash escapes it, keeping the escapes. */
function splitUnescaped(text, separator) {
  const parts = [""];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\" && i + 1 < text.length) parts[parts.length - 1] += text[i] + text[++i];
    else if (text[i] === separator) parts.push("");
    else parts[parts.length - 1] += text[i];
  }
  return parts;
}

function fnmatch(pattern, text) {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\" && i + 1 < pattern.length) source += escape(pattern[++i]);
    else if (c === "*") source += "[\\s\\S]*";
    else if (c === "?") source += "[\\s\\S]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) source += "\\[";
      else {
        const body = pattern.slice(i + 1, end);
        source += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else source += escape(c);
  }
  return new RegExp(`^${source}$`).test(text);
}

const escape = (c) => c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
