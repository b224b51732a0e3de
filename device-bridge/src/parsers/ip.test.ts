import { describe, expect, it } from "vitest";
import { parseIpAddr, parseIpRoutes } from "./ip.js";

// iproute2 5.15 (Ubuntu 22.04) `ip -j addr show`, shortened to lo, eth0, a bridge member and docker0.
const ADDR = JSON.stringify([
  { ifindex: 1, ifname: "lo", flags: ["LOOPBACK", "UP", "LOWER_UP"], mtu: 65536, qdisc: "noqueue", operstate: "UNKNOWN", group: "default", txqlen: 1000, link_type: "loopback", address: "00:00:00:00:00:00", broadcast: "00:00:00:00:00:00",
    addr_info: [{ family: "inet", local: "127.0.0.1", prefixlen: 8, scope: "host", label: "lo", valid_life_time: 4294967295, preferred_life_time: 4294967295 }, { family: "inet6", local: "::1", prefixlen: 128, scope: "host", valid_life_time: 4294967295, preferred_life_time: 4294967295 }] },
  { ifindex: 2, ifname: "eth0", flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], mtu: 1500, qdisc: "mq", operstate: "UP", group: "default", txqlen: 1000, link_type: "ether", address: "48:b0:2d:c1:5e:03", broadcast: "ff:ff:ff:ff:ff:ff",
    addr_info: [{ family: "inet", local: "192.168.1.42", prefixlen: 24, broadcast: "192.168.1.255", scope: "global", dynamic: true, noprefixroute: true, label: "eth0", valid_life_time: 85930, preferred_life_time: 85930 }, {}] },
  { ifindex: 5, ifname: "usb0", flags: ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"], mtu: 1500, qdisc: "pfifo_fast", master: "l4tbr0", operstate: "DOWN", group: "default", txqlen: 1000, link_type: "ether", address: "5a:63:a8:2e:11:90", broadcast: "ff:ff:ff:ff:ff:ff", addr_info: [] },
  { ifindex: 7, ifname: "docker0", flags: ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"], mtu: 1500, qdisc: "noqueue", operstate: "DOWN", group: "default", link_type: "ether", address: "02:42:8f:1c:22:7a", broadcast: "ff:ff:ff:ff:ff:ff",
    addr_info: [{ family: "inet", local: "172.17.0.1", prefixlen: 16, broadcast: "172.17.255.255", scope: "global", label: "docker0", valid_life_time: 4294967295, preferred_life_time: 4294967295 }] },
]);

describe("ip -j", () => {
  it("reads interfaces with state, MAC, MTU, flags and addresses", () => {
    const links = parseIpAddr(ADDR);
    expect(links.map((l) => `${l.name} ${l.state}`)).toEqual(["lo UNKNOWN", "eth0 UP", "usb0 DOWN", "docker0 DOWN"]);
    expect(links[0]?.mac).toBeUndefined();
    expect(links[1]).toEqual({
      name: "eth0",
      state: "UP",
      mac: "48:b0:2d:c1:5e:03",
      mtu: 1500,
      flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
      master: undefined,
      addresses: [{ family: "inet", address: "192.168.1.42", prefixLength: 24, scope: "global", dynamic: true }],
    });
    expect(links[0]?.addresses.map((a) => a.address)).toEqual(["127.0.0.1", "::1"]);
    expect(links[2]?.master).toBe("l4tbr0");
  });

  it("reads default routes of each family, and an empty table", () => {
    const v4 = '[{"dst":"default","gateway":"192.168.1.1","dev":"eth0","protocol":"dhcp","prefsrc":"192.168.1.42","metric":100,"flags":[]}]\n';
    expect(parseIpRoutes(v4, "inet")).toEqual([{ family: "inet", gateway: "192.168.1.1", device: "eth0", protocol: "dhcp", metric: 100, source: "192.168.1.42" }]);
    const v6 = '[{"dst":"default","gateway":"fe80::1","dev":"eth0","protocol":"ra","metric":100,"flags":[],"pref":"medium"}]';
    expect(parseIpRoutes(v6, "inet6")[0]).toMatchObject({ family: "inet6", gateway: "fe80::1", protocol: "ra" });
    expect(parseIpRoutes("[]\n", "inet6")).toEqual([]);
    expect(parseIpRoutes("", "inet6")).toEqual([]);
  });

  it("reads the text iproute2 4.15 (Ubuntu 18.04, JetPack 4) prints for routes even with -j", () => {
    // iproute2 v4.15.0 ip/iproute.c print_route(): each part followed by a space, only when set; route JSON
    // came in 4.17 (commit 663c3cb2).
    const v4 = "default via 192.168.1.1 dev eth0 proto dhcp src 192.168.1.42 metric 100 \ndefault via 10.0.0.1 dev wlan0 proto static metric 600 \n";
    expect(parseIpRoutes(v4, "inet")).toEqual([
      { family: "inet", gateway: "192.168.1.1", device: "eth0", protocol: "dhcp", metric: 100, source: "192.168.1.42" },
      { family: "inet", gateway: "10.0.0.1", device: "wlan0", protocol: "static", metric: 600, source: undefined },
    ]);
    // The same route reads the same from either form.
    const json = '[{"dst":"default","gateway":"192.168.1.1","dev":"eth0","protocol":"dhcp","prefsrc":"192.168.1.42","metric":100,"flags":[]}]';
    expect(parseIpRoutes(v4.split("\n")[0] ?? "", "inet")).toEqual(parseIpRoutes(json, "inet"));
    expect(parseIpRoutes("default dev wg0 scope link \n", "inet")).toEqual([
      { family: "inet", gateway: undefined, device: "wg0", protocol: undefined, metric: undefined, source: undefined },
    ]);
    expect(parseIpRoutes("default via fe80::1 dev eth0 proto ra metric 100 expires 1795sec pref medium\n", "inet6")).toEqual([
      { family: "inet6", gateway: "fe80::1", device: "eth0", protocol: "ra", metric: 100, source: undefined },
    ]);
    // A multipath route's next hops are indented lines of their own, not read, as JSON's nexthops are not.
    expect(parseIpRoutes("default proto static metric 1024 \n\tnexthop via 10.0.0.1 dev eth0 weight 1 \n", "inet")).toEqual([
      { family: "inet", gateway: undefined, device: undefined, protocol: "static", metric: 1024, source: undefined },
    ]);
    expect(() => parseIpRoutes("Error: any valid prefix is expected rather than \"defualt\".", "inet")).toThrow(/ip route: cannot read/);
  });
});
