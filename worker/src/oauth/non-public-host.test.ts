import { describe, expect, it } from "vitest";
import { isNonPublicHost } from "./non-public-host.js";

/** The hostname a client id URL with this host has, as the code that checks it sees it. */
const hostname = (host: string) => new URL(`https://${host}/x.json`).hostname;

describe("non-public hosts", () => {
  it("names loopback, private, shared, link-local, multicast and reserved addresses, in any spelling the URL parser takes", () => {
    const hosts = [
      "localhost", "127.0.0.1", "127.255.0.9", "2130706433", "0x7f.1", "0177.0.0.1", "0", "0.1.2.3",
      "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.0.1", "100.64.0.1", "100.127.255.255",
      "169.254.169.254", "224.0.0.1", "239.255.255.255", "240.0.0.1", "255.255.255.255",
      "[::]", "[::1]", "[0:0:0:0:0:0:0:1]", "[fc00::1]", "[fdff::1]", "[fe80::1]", "[febf::1]", "[ff02::1]",
      "[::ffff:127.0.0.1]", "[::ffff:a9fe:a9fe]", "[::127.0.0.1]", "[64:ff9b::10.0.0.1]",
    ];
    for (const host of hosts) expect(isNonPublicHost(hostname(host)), host).toBe(true);
  });

  it("leaves public addresses and names alone", () => {
    const hosts = [
      "example.com", "assistant.example", "8.8.8.8", "1.1.1.1", "11.0.0.1", "172.32.0.1", "172.15.255.255", "192.169.0.1",
      "100.128.0.1", "100.63.255.255", "169.255.0.1", "223.255.255.255",
      "[2606:4700:4700::1111]", "[2001:db8::1]", "[fec0::1]", "[::ffff:8.8.8.8]", "[64:ff9b::8.8.8.8]",
    ];
    for (const host of hosts) expect(isNonPublicHost(hostname(host)), host).toBe(false);
  });
});
