// The simulated board's network: a wired link with a DHCP lease, Wi-Fi switched off, the USB
// device-mode bridge NVIDIA sets up (l4tbr0), Docker's bridge; and the hosts ping reaches.

export const SELF = "192.168.1.42";
export const GATEWAY = "192.168.1.1";

/** `ip -j addr show`, as iproute2 5.x prints it. */
export function links(board) {
  const mac = (last) => `48:b0:2d:${board.generation}${board.id.length % 10}:5e:${last}`;
  const forever = { valid_life_time: 4294967295, preferred_life_time: 4294967295 };
  return [
    { ifindex: 1, ifname: "lo", flags: ["LOOPBACK", "UP", "LOWER_UP"], mtu: 65536, qdisc: "noqueue", operstate: "UNKNOWN", group: "default", txqlen: 1000, link_type: "loopback", address: "00:00:00:00:00:00", broadcast: "00:00:00:00:00:00",
      addr_info: [{ family: "inet", local: "127.0.0.1", prefixlen: 8, scope: "host", label: "lo", ...forever }, { family: "inet6", local: "::1", prefixlen: 128, scope: "host", ...forever }] },
    { ifindex: 2, ifname: "eth0", flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], mtu: 1500, qdisc: "mq", operstate: "UP", group: "default", txqlen: 1000, link_type: "ether", address: mac("03"), broadcast: "ff:ff:ff:ff:ff:ff",
      addr_info: [
        { family: "inet", local: SELF, prefixlen: 24, broadcast: "192.168.1.255", scope: "global", dynamic: true, noprefixroute: true, label: "eth0", valid_life_time: 85930, preferred_life_time: 85930 },
        { family: "inet6", local: "fe80::4ab0:2dff:fec1:5e03", prefixlen: 64, scope: "link", noprefixroute: true, ...forever },
      ] },
    { ifindex: 3, ifname: "wlan0", flags: ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"], mtu: 1500, qdisc: "mq", operstate: "DOWN", group: "default", txqlen: 1000, link_type: "ether", address: mac("a1"), broadcast: "ff:ff:ff:ff:ff:ff", addr_info: [] },
    { ifindex: 4, ifname: "l4tbr0", flags: ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"], mtu: 1500, qdisc: "noqueue", operstate: "DOWN", group: "default", txqlen: 1000, link_type: "ether", address: "ae:7b:2c:11:90:4d", broadcast: "ff:ff:ff:ff:ff:ff",
      addr_info: [{ family: "inet", local: "192.168.55.1", prefixlen: 24, broadcast: "192.168.55.255", scope: "global", label: "l4tbr0", ...forever }] },
    { ifindex: 5, ifname: "usb0", flags: ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"], mtu: 1500, qdisc: "pfifo_fast", master: "l4tbr0", operstate: "DOWN", group: "default", txqlen: 1000, link_type: "ether", address: "5a:63:a8:2e:11:90", broadcast: "ff:ff:ff:ff:ff:ff", addr_info: [] },
    { ifindex: 7, ifname: "docker0", flags: ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"], mtu: 1500, qdisc: "noqueue", operstate: "DOWN", group: "default", link_type: "ether", address: "02:42:8f:1c:22:7a", broadcast: "ff:ff:ff:ff:ff:ff",
      addr_info: [{ family: "inet", local: "172.17.0.1", prefixlen: 16, broadcast: "172.17.255.255", scope: "global", label: "docker0", ...forever }] },
  ];
}

/** `ip -j [-6] route show default`. */
export function defaultRoutes(family) {
  return family === "inet6"
    ? [{ dst: "default", gateway: "fe80::1", dev: "eth0", protocol: "ra", metric: 100, flags: [], pref: "medium" }]
    : [{ dst: "default", gateway: GATEWAY, dev: "eth0", protocol: "dhcp", prefsrc: SELF, metric: 100, flags: [] }];
}

/** Names the simulated resolver knows. */
const NAMES = { localhost: "127.0.0.1", "nvidia.com": "34.194.97.138", "ntp.ubuntu.com": "185.125.190.56", "ports.ubuntu.com": "185.125.190.39", "repo.download.nvidia.com": "23.48.165.11" };

/** Round-trip times (ms) and TTL of the addresses that answer; others stay silent. */
const ANSWERS = {
  "127.0.0.1": [0.031, 64],
  "::1": [0.035, 64],
  [SELF]: [0.04, 64],
  [GATEWAY]: [0.52, 64],
  "8.8.8.8": [14.2, 117],
  "1.1.1.1": [12.8, 57],
  "34.194.97.138": [80.3, 44],
  "185.125.190.56": [22.7, 53],
  "185.125.190.39": [23.1, 53],
  "23.48.165.11": [9.6, 58],
};

/** The address a ping target resolves to, or undefined when the name does not resolve. */
export function resolve(host) {
  if (/^[\d.]+$/.test(host) || host.includes(":")) return host;
  return NAMES[host.replace(/\.$/, "").toLowerCase()];
}

/** [rtt ms, ttl] when the address answers. */
export function answer(address) {
  return ANSWERS[address];
}

/** Addresses on the local subnet that nobody holds: the board's ARP gets no answer. */
export function onLocalSubnet(address) {
  return address.startsWith("192.168.1.");
}
