import { z } from "zod";
import { HostSchema } from "../sysadmin/names.js";
import { DefaultRouteSchema, DnsConfigSchema, NetworkInterfaceSchema, PingReportSchema } from "../sysadmin/payloads.js";
import { defineAction, READ_ONLY } from "./define.js";

export const networkInfo = defineAction({
  name: "network.info",
  title: "Network configuration",
  description:
    "Network interfaces with their state, MAC, MTU and addresses (ip addr), the IPv4 and IPv6 default routes (ip route), and the DNS servers and search domains (resolv.conf; systemd-resolved's upstream servers where it runs).",
  schemas: () => ({
    input: z.object({}),
    output: z.object({
      interfaces: z.array(NetworkInterfaceSchema),
      defaultRoutes: z.array(DefaultRouteSchema),
      dns: DnsConfigSchema,
    }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 15_000,
});

export const networkPing = defineAction({
  name: "network.ping",
  title: "Ping a host",
  description:
    "Whether the device reaches a host: ICMP echo (ping -c count -W timeoutSeconds), with loss and round-trip times. The host is a hostname or an IP address, never an option.",
  schemas: () => ({
    input: z.object({
      host: HostSchema,
      count: z.number().int().min(1).max(10).default(4).describe("Echo requests to send, one a second"),
      timeoutSeconds: z.number().int().min(1).max(10).default(2).describe("How long to wait for each reply"),
    }),
    output: PingReportSchema.extend({
      host: z.string(),
      reachable: z.boolean().describe("At least one reply came back"),
      error: z.string().optional().describe("Why nothing was sent, e.g. the name did not resolve"),
    }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 120_000,
});

export const networkActions = [networkInfo, networkPing] as const;
