import type { PingReport } from "@jetson/protocol";

// iputils ping, numeric output (-n). BusyBox prints "round-trip" where iputils prints "rtt".
const HEADER = /^PING \S+ \(([^)]+)\)/;
const REPLY = /^\d+ bytes from [^:]+: icmp_seq=(\d+)(?: ttl=(\d+))? time=([\d.]+) ms/;
const STATS = /^(\d+) packets transmitted, (\d+) (?:packets )?received(?:, \+(\d+) errors)?(?:, \+\d+ duplicates)?, ([\d.]+)% packet loss/;
const RTT = /^(?:rtt|round-trip) min\/avg\/max\/(?:mdev|stddev) = ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/;

/** ping's report, or undefined when it printed no statistics (the name did not resolve, bad arguments). */
export function parsePing(text: string): PingReport | undefined {
  let address: string | undefined;
  const replies: PingReport["replies"] = [];
  let stats: RegExpExecArray | null = null;
  let rtt: RegExpExecArray | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    address ??= HEADER.exec(line)?.[1];
    const reply = REPLY.exec(line);
    if (reply) replies.push({ seq: Number(reply[1]), ttl: reply[2] === undefined ? undefined : Number(reply[2]), timeMs: Number(reply[3]) });
    stats ??= STATS.exec(line);
    rtt ??= RTT.exec(line);
  }
  if (!stats) return undefined;
  return {
    address,
    transmitted: Number(stats[1]),
    received: Number(stats[2]),
    errors: stats[3] === undefined ? undefined : Number(stats[3]),
    lossPercent: Number(stats[4]),
    rttMs: rtt ? { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]), mdev: Number(rtt[4]) } : undefined,
    replies,
  };
}
