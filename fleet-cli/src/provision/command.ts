import { access } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cleanDeviceMessage } from "@jetson/protocol";
import type { FleetApi } from "../api-client.js";
import { type ProvisionReport, provision } from "./provision.js";

const BUILT_BRIDGE = fileURLToPath(new URL("../../../device-bridge/dist/jetson-bridge.mjs", import.meta.url));

export const PROVISION_USAGE = `provision USER@HOST[:PORT] [--device ID] [--identity FILE | --password-env VAR]
        [--host-key SHA256:... | --known-hosts FILE] [--settings FILE] [--bridge FILE] [--reenroll] [--timeout SECONDS]
                                            install the bridge on a Jetson over SSH, enroll it, start it and wait until it is online`;

/** `jetson-fleet provision`: its arguments, then the steps on stderr and the report on stdout. */
export async function provisionCommand(api: FleetApi, args: string[]): Promise<ProvisionReport> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      device: { type: "string" },
      identity: { type: "string", short: "i" },
      "password-env": { type: "string" },
      "host-key": { type: "string" },
      "known-hosts": { type: "string" },
      settings: { type: "string" },
      bridge: { type: "string" },
      reenroll: { type: "boolean", default: false },
      timeout: { type: "string", default: "120" },
    },
  });
  const [destination, ...extra] = positionals;
  if (!destination || extra.length) throw new Error(`provision needs exactly one USER@HOST\nUsage: jetson-fleet ${PROVISION_USAGE}`);
  const bridgeFile = values.bridge ?? BUILT_BRIDGE;
  await access(bridgeFile).catch(() => {
    throw new Error(`No bridge build at ${bridgeFile}: run npm run build -w @jetson/device-bridge first (or give --bridge FILE).`);
  });
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new Error(`--timeout must be a number of seconds, got ${values.timeout}`);
  return provision(
    api,
    {
      login: {
        destination,
        identityFile: values.identity,
        passwordEnv: values["password-env"],
        hostKey: values["host-key"],
        knownHostsFile: values["known-hosts"],
      },
      deviceId: values.device,
      settingsFile: values.settings,
      bridgeFile,
      reenroll: values.reenroll,
      onlineTimeoutMs: timeout * 1000,
      // A line may quote the target (its node --version): nothing in it may drive the terminal.
      report: (line) => process.stderr.write(`${cleanDeviceMessage(line, 2_000)}\n`),
    },
    process.env,
  );
}
