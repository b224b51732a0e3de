import type { DnsConfig } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import { parseIpAddr, parseIpRoutes } from "../parsers/ip.js";
import { parsePing } from "../parsers/ping.js";
import { parseResolvConf, RESOLVED_STUB } from "../parsers/resolv-conf.js";
import { runChecked } from "./run-checked.js";
import { ActionError } from "../action-error.js";
import { type HandlerTable } from "./types.js";

/** Where systemd-resolved writes the servers it really asks. */
const RESOLVED_UPSTREAM = "/run/systemd/resolve/resolv.conf";

export const networkHandlers = {
  "network.info": async (_input, { host }) => {
    const ip = (args: string[]) => runChecked(host, "ip", ["-j", ...args], { timeoutMs: 10_000 }).then((r) => r.stdout);
    const [addr, v4, v6, dns] = await Promise.all([
      ip(["addr", "show"]),
      ip(["-4", "route", "show", "default"]),
      ip(["-6", "route", "show", "default"]),
      readDns(host),
    ]);
    return { interfaces: parseIpAddr(addr), defaultRoutes: [...parseIpRoutes(v4, "inet"), ...parseIpRoutes(v6, "inet6")], dns };
  },

  "network.ping": async ({ host: target, count, timeoutSeconds }, { host, signal }) => {
    // "--" ends ping's options; the host is validated as a name or address, so it never starts with "-" anyway.
    const result = await host.run("ping", ["-n", "-c", String(count), "-W", String(timeoutSeconds), "--", target], {
      timeoutMs: (count + timeoutSeconds + 5) * 1000,
      signal,
    });
    // Stopped by its command's signal, ping answers for the probes it sent so far, or none.
    signal.throwIfAborted();
    const report = parsePing(result.stdout);
    if (report) return { host: target, reachable: report.received > 0, ...report };
    const why = result.stderr.trim() || `ping exited with ${result.exitCode ?? result.signal}`;
    if (/Operation not permitted|Permission denied/.test(why)) {
      throw new ActionError("permission_denied", `ping may not send ICMP here: ${why}. It needs the cap_net_raw capability (setcap cap_net_raw+ep on ping) or net.ipv4.ping_group_range to include the bridge's group.`);
    }
    // ping printed no statistics: nothing was sent, e.g. the name did not resolve.
    return { host: target, reachable: false, transmitted: 0, received: 0, lossPercent: 100, replies: [], error: why.slice(0, 500) };
  },
} satisfies Partial<HandlerTable>;

async function readDns(host: HostPort): Promise<DnsConfig> {
  const local = parseResolvConf((await host.readFile("/etc/resolv.conf")) ?? "");
  if (local.servers.length === 1 && local.servers[0] === RESOLVED_STUB) {
    const upstream = await host.readFile(RESOLVED_UPSTREAM);
    if (upstream !== undefined) return { ...parseResolvConf(upstream), source: RESOLVED_UPSTREAM, stubResolver: RESOLVED_STUB };
  }
  return { ...local, source: "/etc/resolv.conf" };
}
