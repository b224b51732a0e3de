import { type HostPort, HostPortError, parseNvTegraRelease } from "@jetson/device-bridge/provisioning";
import { runOnTarget } from "./run-on-target.js";

/** A target provisioning will not touch, and why, in words for the operator. */
export class ProvisionRefused extends Error {}

export interface TargetFacts {
  hostname: string;
  arch: string;
  jetpack: string | undefined;
  l4t: string;
  /** The absolute path of a Node that can run the bridge, and its version. */
  node: { path: string; version: string };
  /** Logged in as root: nothing goes through sudo. */
  root: boolean;
}

/** The oldest Node the single-file bridge runs on (its build targets node18; fetch and WebSocket as it uses them). */
export const MIN_NODE = [18, 15, 0] as const;

/** What provisioning needs of a target before it changes anything: root or sudo, arm64, a Jetson, a usable Node. */
export async function checkTarget(host: HostPort & { locate(program: string): Promise<string> }, where: string): Promise<TargetFacts> {
  const uid = await output(host, "id", ["-u"]);
  const root = uid === "0";
  if (!root) {
    const sudo = await host.run("sudo", ["-n", "true"], { unprivileged: true }).catch((error: Error) => ({ exitCode: 1, stderr: error.message }));
    if (sudo.exitCode !== 0) {
      throw new ProvisionRefused(
        `${where}: the login is not root and cannot use sudo without a password (${sudo.stderr.trim() || "sudo refused"}). Log in as root or give the user passwordless sudo.`,
      );
    }
  }
  const arch = await output(host, "uname", ["-m"]);
  if (arch !== "aarch64") throw new ProvisionRefused(`${where} is ${arch}, not a Jetson (arm64/aarch64).`);
  const release = await host.readFile("/etc/nv_tegra_release");
  if (release === undefined) throw new ProvisionRefused(`${where} has no /etc/nv_tegra_release: not a Jetson running L4T.`);
  const { l4t, jetpack } = parseNvTegraRelease(release);
  const hostname = (await host.readFile("/etc/hostname"))?.trim() ?? "";
  const node = await usableNode(host);
  if (typeof node === "string") throw new ProvisionRefused(noUsableNode(`${where} (${hostname})`, node, jetpack));
  return { hostname, arch, jetpack, l4t, node, root };
}

/** The located Node and its version, or why there is none. */
async function usableNode(host: HostPort & { locate(program: string): Promise<string> }): Promise<{ path: string; version: string } | string> {
  const path = await host.locate("node").catch((error: unknown) => {
    if (error instanceof HostPortError && error.reason === "not_found") return error;
    throw error;
  });
  if (path instanceof HostPortError) return path.message;
  const version = await output(host, "node", ["--version"]);
  return nodeVersionUsable(version) ? { path, version } : `its Node is ${version}`;
}

/** `v18.15.0` or newer. */
export function nodeVersionUsable(version: string): boolean {
  const m = /^v(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const parts = [Number(m[1]), Number(m[2]), Number(m[3])];
  for (const [i, min] of MIN_NODE.entries()) {
    const part = parts[i] ?? 0;
    if (part !== min) return part > min;
  }
  return true;
}

function noUsableNode(where: string, problem: string, jetpack: string | undefined): string {
  return [
    `${where} cannot run the bridge: ${problem}; it needs Node ${MIN_NODE.join(".")} or newer (JetPack ${jetpack ?? "unknown"}).`,
    "On JetPack 5 or 6, install Node 18 or newer (for example from NodeSource) and run provision again.",
    'Otherwise serve it in gateway mode: another bridge on its network reaches it over SSH. Add it to that bridge\'s "gateway" list (README: "Jetsons that cannot run the bridge").',
  ].join("\n");
}

async function output(host: HostPort, program: string, args: string[]): Promise<string> {
  return (await runOnTarget(host, program, args, { unprivileged: true })).trim();
}
