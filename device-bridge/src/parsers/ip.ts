import type { DefaultRoute, NetworkInterface } from "@jetson/protocol";
import { z } from "zod";

// The parts of iproute2's JSON (`ip -j`) the bridge reads. Unknown fields are ignored; iproute2
// prints an empty object in addr_info for an address filtered out, so every field is optional.
const AddrInfoSchema = z.object({
  family: z.string().optional(),
  local: z.string().optional(),
  prefixlen: z.number().optional(),
  scope: z.string().optional(),
  dynamic: z.boolean().optional(),
});

const LinkSchema = z.object({
  ifname: z.string(),
  flags: z.array(z.string()).default([]),
  mtu: z.number().optional(),
  operstate: z.string().optional(),
  master: z.string().optional(),
  link_type: z.string().optional(),
  address: z.string().optional(),
  addr_info: z.array(AddrInfoSchema).default([]),
});

const RouteSchema = z.object({
  dst: z.string().optional(),
  gateway: z.string().optional(),
  dev: z.string().optional(),
  protocol: z.string().optional(),
  metric: z.number().optional(),
  prefsrc: z.string().optional(),
});

function json(text: string, what: string): unknown {
  try {
    // An empty table prints nothing at all on some iproute2 versions.
    return text.trim() === "" ? [] : JSON.parse(text);
  } catch (error) {
    throw new Error(`${what}: not JSON (${(error as Error).message})`);
  }
}

/** `ip -j addr show`. */
export function parseIpAddr(text: string): NetworkInterface[] {
  return z
    .array(LinkSchema)
    .parse(json(text, "ip -j addr"))
    .map((link) => ({
      name: link.ifname,
      state: link.operstate ?? "UNKNOWN",
      mac: link.link_type === "ether" ? link.address : undefined,
      mtu: link.mtu,
      flags: link.flags,
      master: link.master,
      addresses: link.addr_info.flatMap(({ family, local, prefixlen, scope, dynamic }) =>
        (family === "inet" || family === "inet6") && local !== undefined && prefixlen !== undefined
          ? [{ family, address: local, prefixLength: prefixlen, scope, dynamic }]
          : [],
      ),
    }));
}

/**
 * `ip -j [-6] route show default`. iproute2 before 4.17 (Ubuntu 18.04, so JetPack 4, has 4.15) prints
 * routes as text even with -j: route JSON came with iproute2 commit 663c3cb2.
 */
export function parseIpRoutes(text: string, family: DefaultRoute["family"]): DefaultRoute[] {
  const routes = text.trimStart().startsWith("[") ? z.array(RouteSchema).parse(json(text, "ip -j route")) : textRoutes(text);
  return routes.map((route) => ({ family, gateway: route.gateway, device: route.dev, protocol: route.protocol, metric: route.metric, source: route.prefsrc }));
}

// A route line as iproute2's print_route() writes it: an optional type (unreachable, ...), the destination,
// then "via GW dev DEV proto P scope S src SRC metric M" and flags, each only when set.
const TEXT_ROUTE = /^(?:[a-z]+ )?default(?: |$)/;

/** The text form, in the JSON form's fields; a multipath route's indented nexthop lines are not read, as JSON's nexthops are not. */
function textRoutes(text: string): z.infer<typeof RouteSchema>[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "" && !/^\s/.test(line))
    .map((line) => {
      if (!TEXT_ROUTE.test(line)) throw new Error(`ip route: cannot read ${JSON.stringify(line.slice(0, 80))}`);
      const words = line.trim().split(/\s+/);
      const after = (key: string) => {
        const i = words.indexOf(key);
        return i === -1 ? undefined : words[i + 1];
      };
      const metric = after("metric");
      return RouteSchema.parse({
        dst: "default",
        gateway: after("via"),
        dev: after("dev"),
        protocol: after("proto"),
        metric: metric === undefined ? undefined : Number(metric),
        prefsrc: after("src"),
      });
    });
}
