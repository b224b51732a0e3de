import { createHmac } from "node:crypto";
import { hostKeyFingerprint } from "@jetson/device-bridge/provisioning";

/**
 * The host keys an OpenSSH known_hosts file accepts for a host, as `SHA256:` fingerprints.
 * Follows sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT": comma-separated patterns with `*`, `?` and
 * `!` negation, `[host]:port` for other ports than 22, hashed names (`|1|salt|hmac`), and
 * `@revoked` keys, which are never accepted. Certificate authorities are not used here.
 */
export function knownHostKeys(text: string, host: string, port: number): string[] {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const accepted: string[] = [];
  const revoked = new Set<string>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith("@") ? fields.shift() : undefined;
    const [patterns, , key] = fields;
    if (!patterns || !key || marker === "@cert-authority") continue;
    if (!hostMatches(patterns, name)) continue;
    const fingerprint = hostKeyFingerprint(Buffer.from(key, "base64"));
    if (marker === "@revoked") revoked.add(fingerprint);
    else accepted.push(fingerprint);
  }
  return accepted.filter((fingerprint) => !revoked.has(fingerprint));
}

function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith("|1|")) return hashedMatches(patterns, name);
  let matched = false;
  for (const pattern of patterns.split(",")) {
    const negated = pattern.startsWith("!");
    if (!globMatches(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function hashedMatches(entry: string, name: string): boolean {
  const [, , salt, hash] = entry.split("|");
  if (!salt || !hash) return false;
  return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
}

function globMatches(pattern: string, name: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".");
  return new RegExp(`^${source}$`, "i").test(name);
}
