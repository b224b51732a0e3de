import { cleanDeviceMessage } from "@jetson/protocol";
import { FleetApi } from "./api-client.js";
import { commands } from "./commands.js";
import { terminalJson } from "./terminal-json.js";

const USAGE = `jetson-fleet: administer a Jetson fleet (set JETSON_FLEET_URL and JETSON_FLEET_TOKEN)

${Object.entries(commands)
  .map(([, command]) => `  jetson-fleet ${command.usage}`)
  .join("\n")}
`;

/** What an error may print: enough for any message of ours, not a flood. */
const MAX_TERMINAL_MESSAGE = 16_000;

async function main([name, ...args]: string[]): Promise<number> {
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stdout.write(USAGE);
    return name && name !== "--help" ? 2 : 0;
  }
  // Checked on the first request: some commands (release sign) never make one.
  const result = await command.run(new FleetApi(process.env.JETSON_FLEET_URL ?? "", process.env.JETSON_FLEET_TOKEN ?? ""), args);
  // The result may quote a device or a target (its node --version): nothing in it may drive the terminal.
  if (result !== undefined) process.stdout.write(`${terminalJson(result)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    // The message may hold the server's words, and through it a device's: nothing in it may drive the terminal.
    process.stderr.write(`${cleanDeviceMessage(error.message, MAX_TERMINAL_MESSAGE)}\n`);
    process.exitCode = 1;
  },
);
