/**
 * The command the CLI's arguments name: `--version` (or `-v`) and `--help` (or `help`), names no
 * command has; `run` for none or for options alone (`jetson-bridge --config FILE`); else the first
 * argument. The launcher reads it too, to tell a release that serves the device from one asked for a
 * command that ends by itself.
 */
export function commandName(argv: readonly string[]): string {
  const [first = "run"] = argv;
  if (first === "--version" || first === "-v") return "--version";
  if (first === "--help" || first === "help") return "--help";
  return first.startsWith("-") ? "run" : first;
}
