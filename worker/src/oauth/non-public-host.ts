import { isLoopbackHost } from "@jetson/protocol";

/** An address as a number, with its width in bits (32 or 128). */
type Address = { value: bigint; bits: 32n | 128n };

/** IPv4 ranges outside the public internet: this network, private, shared (CGNAT), loopback, link-local, multicast, reserved. */
const NON_PUBLIC_V4 = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"];
/** IPv6 ranges outside the public internet: unspecified, loopback, unique local, link-local, multicast. */
const NON_PUBLIC_V6 = ["::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8"];
/** IPv6 addresses that carry an IPv4 one in their last 32 bits (mapped, compatible, NAT64): judged by that one. */
const CARRYING_V4 = ["::ffff:0:0/96", "::/96", "64:ff9b::/96"];

/** IPv4 as `URL.hostname` writes it: the parser turns decimal, octal and hex forms into four decimal parts. */
function ipv4(text: string): Address | undefined {
  const parts = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)?.slice(1);
  return parts ? { value: parts.reduce((value, part) => (value << 8n) + BigInt(part), 0n), bits: 32n } : undefined;
}

/** IPv6 as `URL.hostname` writes it: bracketed, lower-case hex groups, at most one `::`, any IPv4 tail in hex. */
function ipv6(text: string): Address | undefined {
  const inner = /^\[([0-9a-f:]+)\]$/.exec(text)?.[1];
  if (inner === undefined) return undefined;
  const [head = "", tail] = inner.split("::");
  const groupsOf = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return { value: groups.reduce((value, group) => (value << 16n) + BigInt(Number.parseInt(group, 16)), 0n), bits: 128n };
}

function within(address: Address, ranges: readonly string[]): boolean {
  return ranges.some((range) => {
    const [base = "", prefix = ""] = range.split("/");
    const network = address.bits === 32n ? ipv4(base) : ipv6(`[${base}]`);
    const shift = address.bits - BigInt(prefix);
    return network !== undefined && address.value >> shift === network.value >> shift;
  });
}

/**
 * Whether a URL's hostname (as `URL.hostname` writes it) names this machine or a network that is
 * not the public internet: a fetch there from a deployment would reach what only it can reach.
 * A name that resolves to such an address is left to the runtime (`global_fetch_strictly_public`).
 */
export function isNonPublicHost(hostname: string): boolean {
  if (isLoopbackHost(hostname)) return true;
  const v4 = ipv4(hostname);
  if (v4) return within(v4, NON_PUBLIC_V4);
  const v6 = ipv6(hostname);
  if (!v6) return false;
  return within(v6, NON_PUBLIC_V6) || (within(v6, CARRYING_V4) && within({ value: v6.value & 0xffffffffn, bits: 32n }, NON_PUBLIC_V4));
}
