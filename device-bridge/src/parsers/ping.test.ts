import { describe, expect, it } from "vitest";
import { parsePing } from "./ping.js";

describe("iputils ping -n", () => {
  it("reads replies, loss and round-trip times", () => {
    const text = `PING nvidia.com (34.194.97.138) 56(84) bytes of data.
64 bytes from 34.194.97.138: icmp_seq=1 ttl=44 time=80.3 ms
64 bytes from 34.194.97.138: icmp_seq=2 ttl=44 time=79.9 ms
64 bytes from 34.194.97.138: icmp_seq=4 ttl=44 time=81.2 ms

--- nvidia.com ping statistics ---
4 packets transmitted, 3 received, 25% packet loss, time 3004ms
rtt min/avg/max/mdev = 79.912/80.466/81.203/0.545 ms
`;
    expect(parsePing(text)).toEqual({
      address: "34.194.97.138",
      transmitted: 4,
      received: 3,
      errors: undefined,
      lossPercent: 25,
      rttMs: { min: 79.912, avg: 80.466, max: 81.203, mdev: 0.545 },
      replies: [
        { seq: 1, ttl: 44, timeMs: 80.3 },
        { seq: 2, ttl: 44, timeMs: 79.9 },
        { seq: 4, ttl: 44, timeMs: 81.2 },
      ],
    });
  });

  it("reads a host that does not answer, with ICMP errors", () => {
    const text = `PING 192.168.1.77 (192.168.1.77) 56(84) bytes of data.
From 192.168.1.42 icmp_seq=1 Destination Host Unreachable
From 192.168.1.42 icmp_seq=2 Destination Host Unreachable

--- 192.168.1.77 ping statistics ---
2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1022ms

`;
    expect(parsePing(text)).toEqual({ address: "192.168.1.77", transmitted: 2, received: 0, errors: 2, lossPercent: 100, rttMs: undefined, replies: [] });
  });

  it("has no report when the name does not resolve", () => {
    expect(parsePing("")).toBeUndefined();
  });
});
