/** Device and caller secrets: random, shown once, stored only as SHA-256. */

export function newSecret(bytes = 32): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export async function hashSecret(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares a presented secret with a stored hash in constant time. */
export async function secretMatches(presented: string, storedHash: string | undefined): Promise<boolean> {
  if (!storedHash) return false;
  const a = new TextEncoder().encode(await hashSecret(presented));
  const b = new TextEncoder().encode(storedHash);
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}

export function newCommandId(): string {
  return `c${newSecret(12)}`;
}

const PREFIX = { token: "jft", enrollment: "jfe" } as const;
const FLEET_SECRET = /^(jft|jfe)_([a-z0-9][a-z0-9-]{0,62})_([A-Za-z0-9_-]{20,100})$/;

/** A secret that names its fleet, so a request reaches the right registry without a global lookup. */
export function newFleetSecret(kind: keyof typeof PREFIX, fleet: string): string {
  return `${PREFIX[kind]}_${fleet}_${newSecret()}`;
}

export function fleetOfSecret(kind: keyof typeof PREFIX, secret: string): string | undefined {
  const match = FLEET_SECRET.exec(secret);
  return match && match[1] === PREFIX[kind] ? match[2] : undefined;
}
