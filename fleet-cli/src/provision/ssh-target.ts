import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import type { SshTarget } from "@jetson/device-bridge/provisioning";
import { knownHostKeys } from "./known-hosts.js";

/** Where `provision` logs in and which host keys it trusts. */
export interface SshLogin {
  /** `USER@HOST` or `USER@HOST:PORT`. */
  destination: string;
  /** A private key file; without it and without a password, ~/.ssh/id_ed25519 or ~/.ssh/id_rsa. */
  identityFile?: string;
  /** The name of an environment variable holding the password (never an argument: ps would show it). */
  passwordEnv?: string;
  /** The host key pinned as `SHA256:...`; without it, the known_hosts file decides. */
  hostKey?: string;
  knownHostsFile?: string;
}

const DESTINATION = /^([a-z_][a-z0-9_.-]*)@([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::(\d{1,5}))?$/;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** The SSH target of a login: user, host, port, credentials and the accepted host keys. */
export async function sshTarget(login: SshLogin, env: NodeJS.ProcessEnv): Promise<SshTarget> {
  const m = DESTINATION.exec(login.destination);
  if (!m) throw new Error(`Not USER@HOST[:PORT]: ${JSON.stringify(login.destination)}`);
  const [, username = "", rawHost = "", rawPort] = m;
  const host = rawHost.replace(/^\[|\]$/g, "");
  const port = rawPort === undefined ? 22 : Number(rawPort);
  if (!(port >= 1 && port <= 65_535)) throw new Error(`Not a port: ${rawPort}`);
  return { host, port, username, ...(await credentials(login, env)), hostKeysSha256: await trustedKeys(login, host, port) };
}

async function credentials(login: SshLogin, env: NodeJS.ProcessEnv): Promise<{ privateKey?: string; password?: string }> {
  if (login.passwordEnv !== undefined) {
    const password = env[login.passwordEnv];
    if (!password) throw new Error(`The environment variable ${login.passwordEnv} holds no password.`);
    return login.identityFile ? { password, privateKey: await readKey(login.identityFile) } : { password };
  }
  if (login.identityFile) return { privateKey: await readKey(login.identityFile) };
  for (const name of ["id_ed25519", "id_rsa"]) {
    const key = await readFile(path.join(homedir(), ".ssh", name), "utf8").catch(() => undefined);
    if (key) return { privateKey: key };
  }
  throw new Error("No credentials: give --identity FILE or --password-env VARIABLE (no ~/.ssh/id_ed25519 or id_rsa either).");
}

function readKey(file: string): Promise<string> {
  return readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new Error(`Cannot read the private key ${file}: ${error.code ?? error.message}`);
  });
}

async function trustedKeys(login: SshLogin, host: string, port: number): Promise<string[]> {
  if (login.hostKey !== undefined) {
    if (!FINGERPRINT.test(login.hostKey)) throw new Error(`--host-key must be SHA256:<43 base64 characters>, as ssh-keygen -lf prints; got ${login.hostKey}`);
    return [login.hostKey];
  }
  const file = login.knownHostsFile ?? path.join(homedir(), ".ssh", "known_hosts");
  const text = await readFile(file, "utf8").catch(() => "");
  return knownHostKeys(text, host, port);
}
