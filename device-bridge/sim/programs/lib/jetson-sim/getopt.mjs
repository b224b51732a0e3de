// Command-line options as glibc's getopt_long reads them, for the coreutils and shadow-utils
// stand-ins: grouped short flags (-Dm 644, -m644), --long, --long=value, options after operands,
// and "--" ending the options; a getopt string starting with "+" ends them at the first operand
// instead (libgpiod's tools). Errors carry glibc's own wording.

/**
 * `shorts` is a getopt string ("Ddm:o:g:": a colon after a letter means it takes a value);
 * `longs` maps each long name to its letter. Returns { options: Map(letter -> value or true),
 * operands } or { error } with the message getopt prints after "<program>: ".
 */
export function getopt(args, shorts, longs = {}) {
  const options = new Map();
  const operands = [];
  const takesValue = (letter) => shorts[shorts.indexOf(letter) + 1] === ":";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (shorts.startsWith("+") && !arg.startsWith("-")) {
      operands.push(...args.slice(i));
      break;
    }
    if (arg === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s);
      const letter = longs[name];
      if (letter === undefined) return { error: `unrecognized option '${arg}'` };
      if (!takesValue(letter)) {
        if (inline !== undefined) return { error: `option '--${name}' doesn't allow an argument` };
        options.set(letter, true);
      } else {
        const value = inline ?? args[++i];
        if (value === undefined) return { error: `option '--${name}' requires an argument` };
        options.set(letter, value);
      }
    } else if (arg.startsWith("-") && arg !== "-") {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j];
        if (letter === ":" || letter === "+" || !shorts.includes(letter)) return { error: `invalid option -- '${letter}'` };
        if (!takesValue(letter)) {
          options.set(letter, true);
          continue;
        }
        const value = j + 1 < arg.length ? arg.slice(j + 1) : args[++i];
        if (value === undefined) return { error: `option requires an argument -- '${letter}'` };
        options.set(letter, value);
        break;
      }
    } else {
      operands.push(arg);
    }
  }
  return { options, operands };
}
