import type { GpioValue } from "@jetson/protocol";
import { ActionError } from "../action-error.js";
import type { HostPort, RunResult } from "../host/port.js";

const TOOL_TIMEOUT_MS = 10_000;
// tools-common.c print_version(): "gpiodetect (libgpiod) v1.6.3" (v1 from 1.2, and v2 up to 2.2), "gpiodetect v2.3
// (libgpiod v2.3)"; 1.0 and 1.1 (Ubuntu 18.04, JetPack 4) print "gpiodetect (libgpiod) 1.0", without the "v".
const VERSION = /libgpiod\)? v?(\d+)\./;

type Major = 1 | 2;
type Level = GpioValue["value"];

/** libgpiod's command-line tools, in the dialect of the version installed. */
export interface GpiodTools {
  /** gpiodetect's output: one line per chip, the same in v1 and v2. */
  detect(): Promise<string>;
  /** gpioinfo's output for these chips (device names), each under its "gpiochipN - N lines:" header. */
  info(devices: readonly string[]): Promise<string>;
  /** The level of a line, read with gpioget, which takes it as an input. */
  get(device: string, line: number): Promise<Level>;
  /** Drives a line with gpioset, which then exits and releases it. */
  set(device: string, line: number, value: Level): Promise<void>;
}

// The version, looked up once per machine; JetPack 7 (Ubuntu 24.04) has v2, earlier releases v1.
const majors = new WeakMap<HostPort, Promise<Major>>();

/** The tools of this machine's libgpiod. */
export async function gpiodTools(host: HostPort): Promise<GpiodTools> {
  const major = await toolsMajor(host);
  return {
    detect: async () => (await tool(host, "gpiodetect", [])).stdout,
    // v1 takes chips as arguments; v2 takes line names there, and one chip with -c.
    info: async (devices) =>
      major === 1
        ? (await tool(host, "gpioinfo", devices)).stdout
        : (await Promise.all(devices.map((device) => tool(host, "gpioinfo", ["-c", device])))).map((r) => r.stdout).join(""),
    get: async (device, line) => {
      // v2 prints "106"=active unless asked for the number.
      const args = major === 1 ? [device, String(line)] : ["--numeric", "-c", device, String(line)];
      const value = (await tool(host, "gpioget", args)).stdout.trim();
      if (value !== "0" && value !== "1") throw new ActionError("handler_failed", `gpioget printed ${JSON.stringify(value)}, not 0 or 1.`);
      return value === "1" ? 1 : 0;
    },
    set: async (device, line, value) => {
      // v1 exits once the value is set; v2 holds the line until killed unless told to toggle after 0 (-t0): exit.
      const mapping = `${line}=${value}`;
      await tool(host, "gpioset", major === 1 ? [device, mapping] : ["-t0", "-c", device, mapping]);
    },
  };
}

/** Runs a libgpiod tool; a failure becomes an error the caller can read. */
async function tool(host: HostPort, program: string, args: readonly string[]): Promise<RunResult> {
  const result = await host.run(program, args, { timeoutMs: TOOL_TIMEOUT_MS });
  if (result.exitCode === 0) return result;
  const detail = (result.stderr || result.stdout).trim() || `exit ${result.exitCode ?? result.signal}`;
  throw new ActionError(/permission denied/i.test(detail) ? "permission_denied" : "handler_failed", `${program} failed: ${detail}`);
}

function toolsMajor(host: HostPort): Promise<Major> {
  const known = majors.get(host);
  if (known) return known;
  const major = readMajor(host);
  majors.set(host, major);
  // Tools not installed yet are looked for again next time.
  major.catch(() => majors.delete(host));
  return major;
}

async function readMajor(host: HostPort): Promise<Major> {
  const { stdout } = await tool(host, "gpiodetect", ["--version"]);
  const major = Number(VERSION.exec(stdout)?.[1]);
  if (major === 1 || major === 2) return major;
  throw new ActionError("not_supported", `gpiodetect --version printed ${JSON.stringify(stdout.split("\n")[0])}; the bridge speaks libgpiod v1 and v2.`);
}
