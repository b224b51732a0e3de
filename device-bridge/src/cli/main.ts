import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError } from "../config-error.js";
import { commandName } from "./command-name.js";
import { DEFAULT_CONFIG_FILE } from "../default-config-file.js";
import { HELPER_SUBCOMMAND } from "../host/helper-subcommand.js";
import { createLogger } from "../log.js";
import { reportMemoryOnSignal } from "../memory-report.js";
import { BRIDGE_VERSION } from "../version.js";

// Each command loads its code when it runs: `launch` decides which release runs without the bridge's
// code (mqtt.js, handlers; zod and the protocol's releases module only while an update is on trial),
// which stays in the process beside what the release then loads.

interface Command {
  usage: string;
  run(args: string[]): Promise<number | "running">;
}

const commands: Record<string, Command> = {
  run: {
    usage: "run [--config FILE]   connect to the cloud and serve this device (environment JETSON_BRIDGE_* overrides the file)",
    async run(args) {
      const { values } = parseArgs({ args, options: { config: { type: "string", short: "c" } } });
      const file = values.config ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
      reportMemoryOnSignal(createLogger("bridge"));
      const [{ startBridge }, { loadConfig }] = await Promise.all([import("../bridge.js"), import("../config.js")]);
      const bridge = await startBridge(await loadConfig(file, process.env));
      const stop = () => {
        bridge.stop().finally(() => process.exit(0));
      };
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
      return "running";
    },
  },
  launch: {
    usage:
      "launch --releases DIR -- ARGS   run the installed release (DIR/current, else this bundle) with ARGS in this process, for systemd to start again after bridge.update; a start after a new release ended, or ran out of time, before it passed its health check rolls it back",
    async run(args) {
      const log = createLogger("launcher");
      // `systemctl kill -s USR2` may come while the release loads: answer it rather than die of it,
      // until the release answers it itself (as every release does from its start).
      const stopReporting = reportMemoryOnSignal(log);
      const { launchCommand } = await import("../update/launcher.js");
      const release = await launchCommand(args, process.argv[1] ?? "", log);
      if (release === undefined) {
        const running = main(process.argv.slice(2));
        stopReporting();
        return running;
      }
      // A release's bundle runs its CLI as it loads (on the process.argv the launcher set), as every release has.
      await import(pathToFileURL(release).href);
      stopReporting();
      return "running";
    },
  },
  enroll: {
    usage: `enroll --url URL --code CODE [--config FILE]   trade an enrollment code for this device's credential (default ${DEFAULT_CONFIG_FILE})`,
    async run(args) {
      const { values } = parseArgs({
        args,
        options: { url: { type: "string" }, code: { type: "string" }, config: { type: "string", short: "c" } },
      });
      if (!values.url || !values.code) throw new ConfigError("enroll needs --url and --code");
      const { enroll } = await import("../enroll.js");
      const configFile = values.config ?? DEFAULT_CONFIG_FILE;
      const { fleet, deviceId } = await enroll(values.url, values.code, configFile);
      process.stdout.write(`Enrolled as ${deviceId} in fleet ${fleet}; credential written to ${configFile}\n`);
      return 0;
    },
  },
  sudoers: {
    usage: "sudoers --user USER [--config FILE]   print the sudoers file for the configured privileged programs",
    async run(args) {
      const { values } = parseArgs({ args, options: { user: { type: "string" }, config: { type: "string", short: "c" } } });
      if (!values.user) throw new ConfigError("sudoers needs --user");
      const [{ loadConfig }, { NodeHost }, { machineSudoers, thisBridgeHelper }, { notRootOwned }] = await Promise.all([
        import("../config.js"),
        import("../host/node-host.js"),
        import("../host/privileged.js"),
        import("../host/privileged-helper.js"),
      ]);
      const config = await loadConfig(values.config, process.env);
      const host = new NodeHost({ root: config.root, programDirs: config.programDirs, defaultTimeoutMs: 30_000, defaultMaxOutputBytes: 1 << 20 });
      // Root runs what the file names, and the configuration may be the bridge's user's to change: only files root alone can change pass.
      process.stdout.write(await machineSudoers(host, values.user, config, thisBridgeHelper(), notRootOwned));
      return 0;
    },
  },
  "read-write-paths": {
    usage: "read-write-paths [--config FILE]   print the systemd unit's ReadWritePaths lines for the configured actions",
    async run(args) {
      const { values } = parseArgs({ args, options: { config: { type: "string", short: "c" } } });
      const [{ loadConfig }, { renderReadWritePaths }] = await Promise.all([import("../config.js"), import("../host/unit-sandbox.js")]);
      process.stdout.write(renderReadWritePaths(await loadConfig(values.config, process.env)));
      return 0;
    },
  },
  [HELPER_SUBCOMMAND]: {
    usage: `${HELPER_SUBCOMMAND} PROGRAM   (run by sudo as root) run apt-get or kill with the argument list on standard input, if the bridge builds it`,
    async run(args) {
      const [{ text }, { runPrivilegedHelper }] = await Promise.all([import("node:stream/consumers"), import("../host/privileged-helper.js")]);
      return runPrivilegedHelper(args, await text(process.stdin), process.stderr);
    },
  },
  parse: {
    usage: "parse KIND [FILE]     parse tegrastats|nvpmodel|jetson-clocks|nv-tegra-release output to JSON",
    async run([kind = "", file]) {
      const [{ createReadStream }, { runParse }] = await Promise.all([import("node:fs"), import("./parse.js")]);
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
  const name = commandName(argv);
  if (name === "--version") {
    process.stdout.write(`${BRIDGE_VERSION}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command || name === "--help") {
    process.stdout.write(usage());
    return name === "--help" ? 0 : 2;
  }
  // Options alone are the run command's.
  return command.run(argv[0]?.startsWith("-") ? argv : argv.slice(1));
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
