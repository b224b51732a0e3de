#!/usr/bin/env node
// Stand-in for iputils ping [-n] -c COUNT -W SECONDS [--] HOST. Loopback, the board, its gateway and a
// few public hosts answer; other addresses stay silent, and on the local subnet ARP fails. Replies come
// back at once rather than a second apart.
import { GATEWAY, SELF, answer, onLocalSubnet, resolve } from "../lib/jetson-sim/network.mjs";
import { startProgram } from "../lib/jetson-sim/runtime.mjs";

const { args } = startProgram(import.meta.url, "ping");
let count = Infinity;
const positional = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === "--") {
    positional.push(...args.slice(i + 1));
    break;
  }
  if (arg === "-c") count = Number(args[++i]);
  else if (arg === "-W") i++;
  else if (arg === "-n") continue;
  else if (arg.startsWith("-")) usage(`invalid option -- '${arg.slice(1)}'`);
  else positional.push(arg);
}
const [host, ...extra] = positional;
if (host === undefined || extra.length > 0 || !(count >= 1)) usage("usage error: Destination address required");
const address = resolve(host);
if (address === undefined) {
  process.stderr.write(`ping: ${host}: Name or service not known\n`);
  process.exit(2);
}
const say = (line) => process.stdout.write(`${line}\n`);
const reply = answer(address);
say(`PING ${host} (${address}) 56(84) bytes of data.`);
const times = [];
let errors = 0;
for (let seq = 1; seq <= count; seq++) {
  if (reply) {
    // A little jitter, the same on every run.
    const time = Number((reply[0] * (1 + 0.04 * Math.sin(seq * 1.7))).toFixed(reply[0] < 1 ? 3 : 1));
    times.push(time);
    say(`64 bytes from ${address}: icmp_seq=${seq} ttl=${reply[1]} time=${time} ms`);
  } else if (onLocalSubnet(address) && address !== GATEWAY) {
    errors++;
    say(`From ${SELF} icmp_seq=${seq} Destination Host Unreachable`);
  }
}
say("");
say(`--- ${host} ping statistics ---`);
const loss = Math.round(((count - times.length) / count) * 100 * 1000) / 1000;
say(`${count} packets transmitted, ${times.length} received,${errors ? ` +${errors} errors,` : ""} ${loss}% packet loss, time ${(count - 1) * 1000 + 4}ms`);
if (times.length) {
  const avg = times.reduce((a, b) => a + b, 0) / times.length;
  const mdev = Math.sqrt(times.reduce((sum, t) => sum + (t - avg) ** 2, 0) / times.length);
  say(`rtt min/avg/max/mdev = ${[Math.min(...times), avg, Math.max(...times), mdev].map((v) => v.toFixed(3)).join("/")} ms`);
}
process.exitCode = times.length ? 0 : 1;

function usage(message) {
  process.stderr.write(`ping: ${message}\n`);
  process.exit(2);
}
