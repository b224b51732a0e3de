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

/** `ip -j [-6] route show default`. */
export function parseIpRoutes(text: string, family: DefaultRoute["family"]): DefaultRoute[] {
  return z
    .array(RouteSchema)
    .parse(json(text, "ip -j route"))
    .map((route) => ({ family, gateway: route.gateway, device: route.dev, protocol: route.protocol, metric: route.metric, source: route.prefsrc }));
}
