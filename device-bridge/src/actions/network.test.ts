import { afterEach, describe, expect, it } from "vitest";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

describe("network on a simulated Nano (JetPack 4, iproute2 4.15)", () => {
  it("reads the default routes ip prints as text though asked for JSON", async () => {
    board = await simulatedBoard("nano-jp46");
    const info = await board.run("network.info", {});
    expect(info.interfaces.map((i) => i.name)).toContain("eth0");
    expect(info.defaultRoutes).toEqual([
      { family: "inet", gateway: "192.168.1.1", device: "eth0", protocol: "dhcp", metric: 100, source: "192.168.1.42" },
      { family: "inet6", gateway: "fe80::1", device: "eth0", protocol: "ra", metric: 100 },
    ]);
    // The three run at once, in any order.
    expect((await board.calls()).filter((c) => c.program === "ip").map((c) => c.argv.join(" ")).sort()).toEqual([
      "-j -4 route show default",
      "-j -6 route show default",
      "-j addr show",
    ]);
  });
});

describe("network on a simulated Orin Nano", () => {
  it("reports interfaces, default routes and systemd-resolved's upstream DNS servers", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    const info = await board.run("network.info", {});
    expect(info.interfaces.map((i) => `${i.name} ${i.state}`)).toEqual(["lo UNKNOWN", "eth0 UP", "wlan0 DOWN", "l4tbr0 DOWN", "usb0 DOWN", "docker0 DOWN"]);
    expect(info.interfaces[1]?.addresses).toEqual([
      { family: "inet", address: "192.168.1.42", prefixLength: 24, scope: "global", dynamic: true },
      { family: "inet6", address: "fe80::4ab0:2dff:fec1:5e03", prefixLength: 64, scope: "link" },
    ]);
    expect(info.interfaces[4]?.master).toBe("l4tbr0");
    expect(info.defaultRoutes).toEqual([
      { family: "inet", gateway: "192.168.1.1", device: "eth0", protocol: "dhcp", metric: 100, source: "192.168.1.42" },
      { family: "inet6", gateway: "fe80::1", device: "eth0", protocol: "ra", metric: 100 },
    ]);
    expect(info.dns).toEqual({ servers: ["192.168.1.1"], search: ["lan"], source: "/run/systemd/resolve/resolv.conf", stubResolver: "127.0.0.53" });
  });

  it("pings a host that answers, one that does not, and a name that does not resolve", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    const up = await board.run("network.ping", { host: "nvidia.com", count: 3 });
    expect(up).toMatchObject({ host: "nvidia.com", address: "34.194.97.138", reachable: true, transmitted: 3, received: 3, lossPercent: 0 });
    expect(up.replies).toHaveLength(3);
    expect(up.rttMs?.avg).toBeGreaterThan(70);
    expect(await board.run("network.ping", { host: "192.168.1.77", count: 2 })).toMatchObject({ reachable: false, received: 0, errors: 2, lossPercent: 100 });
    expect(await board.run("network.ping", { host: "no-such-host.invalid", count: 1 })).toMatchObject({
      reachable: false,
      transmitted: 0,
      error: "ping: no-such-host.invalid: Name or service not known",
    });
    expect((await board.calls()).map((c) => c.argv)).toEqual([
      ["-n", "-c", "3", "-W", "2", "--", "nvidia.com"],
      ["-n", "-c", "2", "-W", "2", "--", "192.168.1.77"],
      ["-n", "-c", "1", "-W", "2", "--", "no-such-host.invalid"],
    ]);
  });

  it("refuses a host that is an option before ping runs", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    for (const host of ["-f 127.0.0.1", "-f", "127.0.0.1; reboot"]) {
      await expect(board.run("network.ping", { host })).rejects.toThrow(/a hostname .* or an IPv4 or IPv6 address/);
    }
    expect(await board.calls()).toEqual([]);
  });
});
