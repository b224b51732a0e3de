import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { hostKeyFingerprint } from "@jetson/device-bridge/provisioning";
import { beforeAll, describe, expect, it } from "vitest";
import { knownHostKeys } from "./known-hosts.js";

const run = promisify(execFile);
let dir: string;
let keys: Record<"ed25519" | "rsa", { line: string; fingerprint: string }>;

/** A real key pair's public half and its fingerprint as ssh-keygen -lf prints it. */
async function hostKey(type: "ed25519" | "rsa") {
  const file = path.join(dir, `host_${type}`);
  await run("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", file]);
  const line = (await readFile(`${file}.pub`, "utf8")).trim();
  const { stdout } = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", `${file}.pub`]);
  return { line, fingerprint: stdout.split(" ")[1] ?? "" };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "known-hosts-"));
  keys = { ed25519: await hostKey("ed25519"), rsa: await hostKey("rsa") };
});

describe("known_hosts", () => {
  it("computes the fingerprint ssh-keygen prints", () => {
    const blob = keys.ed25519.line.split(" ")[1] ?? "";
    expect(hostKeyFingerprint(Buffer.from(blob, "base64"))).toBe(keys.ed25519.fingerprint);
  });

  it("accepts every key listed for the host, by name or in a list of patterns", () => {
    const text = [`# comment`, `jetson-1,10.0.0.7 ${keys.ed25519.line}`, `10.0.0.7 ${keys.rsa.line}`, `other ${keys.rsa.line}`].join("\n");
    expect(knownHostKeys(text, "10.0.0.7", 22)).toEqual([keys.ed25519.fingerprint, keys.rsa.fingerprint]);
    expect(knownHostKeys(text, "jetson-1", 22)).toEqual([keys.ed25519.fingerprint]);
    expect(knownHostKeys(text, "10.0.0.8", 22)).toEqual([]);
  });

  it("tells ports apart: [host]:port for any port but 22", () => {
    const text = `[10.0.0.7]:2222 ${keys.ed25519.line}\n10.0.0.7 ${keys.rsa.line}\n`;
    expect(knownHostKeys(text, "10.0.0.7", 2222)).toEqual([keys.ed25519.fingerprint]);
    expect(knownHostKeys(text, "10.0.0.7", 22)).toEqual([keys.rsa.fingerprint]);
  });

  it("matches names hashed by ssh-keygen -H", async () => {
    const file = path.join(dir, "hashed");
    await writeFile(file, `[127.0.0.1]:2200 ${keys.ed25519.line}\njetson-2 ${keys.rsa.line}\n`);
    await run("ssh-keygen", ["-H", "-f", file]);
    const hashed = await readFile(file, "utf8");
    expect(hashed).not.toContain("jetson-2");
    expect(knownHostKeys(hashed, "127.0.0.1", 2200)).toEqual([keys.ed25519.fingerprint]);
    expect(knownHostKeys(hashed, "jetson-2", 22)).toEqual([keys.rsa.fingerprint]);
    expect(knownHostKeys(hashed, "jetson-3", 22)).toEqual([]);
  });

  it("follows wildcards and negation, and never accepts a revoked key", () => {
    const text = [`*.warehouse.lan,!gate.warehouse.lan ${keys.ed25519.line}`, `@revoked * ${keys.rsa.line}`, `cam-? ${keys.rsa.line}`].join("\n");
    expect(knownHostKeys(text, "cam-7.warehouse.lan", 22)).toEqual([keys.ed25519.fingerprint]);
    expect(knownHostKeys(text, "gate.warehouse.lan", 22)).toEqual([]);
    expect(knownHostKeys(text, "cam-1", 22)).toEqual([]);
  });
});
