import { createReadStream } from "node:fs";
import { parseArgs } from "node:util";
import { startBridge } from "../bridge.js";
import { ConfigError, loadConfig } from "../config.js";
import { BRIDGE_VERSION } from "../version.js";
import { runParse } from "./parse.js";

interface Command {
  usage: string;
  run(args: string[]): Promise<number | "running">;
}

const commands: Record<string, Command> = {
  run: {
    usage: "run [--config FILE]   connect to the cloud and serve this device (environment JETSON_BRIDGE_* overrides the file)",
    async run(args) {
      const { values } = parseArgs({ args, options: { config: { type: "string", short: "c" } } });
      const bridge = await startBridge(await loadConfig(values.config, process.env));
      const stop = () => {
        bridge.stop().finally(() => process.exit(0));
      };
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
      return "running";
    },
  },
  parse: {
    usage: "parse KIND [FILE]     parse tegrastats|nvpmodel|jetson-clocks|nv-tegra-release output to JSON",
    async run([kind = "", file]) {
      const input = file ? createReadStream(file) : process.stdin;
      return runParse(kind, input, process.stdout, process.stderr);
    },
  },
};

function usage(): string {
  return `jetson-bridge ${BRIDGE_VERSION}\n\nUsage:\n${Object.values(commands)
    .map((c) => `  jetson-bridge ${c.usage}`)
    .join("\n")}\n  jetson-bridge --version\n`;
}

async function main(argv: string[]): Promise<number | "running"> {
  const [name = "run", ...rest] = argv;
  if (name === "--version" || name === "-v") {
    process.stdout.write(`${BRIDGE_VERSION}\n`);
    return 0;
  }
  const command = commands[name.startsWith("-") ? "run" : name];
  if (!command || name === "--help" || name === "help") {
    process.stdout.write(usage());
    return command || name === "--help" || name === "help" ? 0 : 2;
  }
  return command.run(name.startsWith("-") ? argv : rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== "running") process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : error.stack ?? error.message}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  },
);
