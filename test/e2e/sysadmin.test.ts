import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalBridge } from "../../scripts/local-stack.js";
import { TestStack } from "../support/stack.js";
import { waitFor } from "../support/eventually.js";

// System administration through MCP against a simulated Jetson whose stand-ins (systemctl, apt-get,
// dpkg-query, journalctl, ip, ping, df, du, timedatectl, ps, kill) print the real programs' formats.

const DEVICE = "admin-1";

let stack: TestStack;
let mcp: Client;
let bridge: LocalBridge;

beforeAll(async () => {
  stack = await TestStack.start();
  bridge = await stack.addBridge(DEVICE, "agx-orin-jp6", {
    extraConfig: { services: { allow: ["nginx"] }, packages: { allow: ["htop", "openssl", "libssl3"] } },
  });
  mcp = await stack.mcp();
});

afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
});

function call(name: string, args: Record<string, unknown>, device = DEVICE): Promise<CallToolResult> {
  return mcp.callTool({ name, arguments: { device, ...args } }) as Promise<CallToolResult>;
}

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
}

function data<T>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool failed: ${text(result)}`);
  return result.structuredContent as T;
}

const callLog = () => readFile(path.join(bridge.root, "var/log/sim-calls.log"), "utf8");

/** Calls a tool that must be refused: returns its error text, and checks no stand-in program ran. */
async function refused(name: string, args: Record<string, unknown>): Promise<string> {
  const before = await callLog();
  const result = await call(name, args);
  expect(result.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
  expect(await callLog()).toBe(before);
  return text(result);
}

describe("the system administration tools", () => {
  it("are listed with output schemas and honest hints", async () => {
    const { tools } = await mcp.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    const hints = (name: string) => {
      const tool = byName.get(name);
      expect(tool?.outputSchema, name).toBeDefined();
      return [tool?.annotations?.readOnlyHint, tool?.annotations?.destructiveHint];
    };
    for (const name of ["services_list", "services_status", "packages_list", "packages_upgradable", "storage_usage", "storage_largest", "network_info", "network_ping", "logs_journal", "processes_top", "time_status"]) {
      expect(hints(name), name).toEqual([true, false]);
    }
    for (const name of ["services_start", "services_stop", "services_restart", "services_enable", "services_disable", "packages_refresh", "packages_install"]) {
      expect(hints(name), name).toEqual([false, false]);
    }
    for (const name of ["packages_remove", "packages_upgrade", "processes_kill", "power_shutdown", "power_reboot"]) {
      expect(hints(name), name).toEqual([false, true]);
      expect(Object.keys(byName.get(name)?.inputSchema.properties ?? {}), name).toContain("confirm");
    }
  });
});

describe("services", () => {
  it("lists units, shows one, and starts an allowed one", async () => {
    const list = data<{ units: Array<{ unit: string; active: string; sub: string }>; counts: { failed: number } }>(await call("services_list", {}));
    expect(list.units.find((u) => u.unit === "nvargus-daemon.service")).toMatchObject({ active: "active", sub: "running" });
    expect(list.counts.failed).toBe(1);
    expect(data(await call("services_status", { unit: "nginx" }))).toMatchObject({ unit: "nginx.service", activeState: "inactive", changeAllowed: true });
    const started = data<{ changed: boolean; after: { activeState: string; mainPid: number } }>(await call("services_start", { unit: "nginx" }));
    expect(started).toMatchObject({ changed: true, after: { activeState: "active", mainPid: 4400 } });
    expect(data(await call("services_status", { unit: "nginx.service" }))).toMatchObject({ activeState: "active", subState: "running" });
  });

  it("refuses a unit outside the device's allowlist, running nothing", async () => {
    const message = await refused("services_stop", { unit: "nvargus-daemon" });
    expect(message).toMatch(/nvargus-daemon.service is not in this device's services.allow list \(nginx.service\)/);
    expect(message).toMatch(/add it to services.allow/);
  });
});

describe("packages", () => {
  it("finds installed packages, and lists upgradable ones after a refresh", async () => {
    const core = data<{ packages: Array<{ name: string; version: string }> }>(await call("packages_list", { match: "nvidia-l4t-core" }));
    const info = data<{ l4t: string }>(await call("system_info", {}));
    expect(core.packages[0]?.version.startsWith(`${info.l4t}-`)).toBe(true);
    const refresh = data<{ warnings: string[]; outputTail: string[] }>(await call("packages_refresh", { tailLines: 1 }));
    expect(refresh).toEqual({ warnings: [], outputTail: ["Reading package lists..."] });
    const upgradable = data<{ packages: Array<{ name: string; installedVersion: string; candidateVersion: string }> }>(await call("packages_upgradable", {}));
    expect(upgradable.packages.map((p) => p.name)).toEqual(["curl", "libcurl4", "libssl3", "nvidia-container-toolkit", "nvidia-container-toolkit-base", "openssl"]);
  });

  it("installs a package with progress notifications before its result", async () => {
    const events: string[] = [];
    const progress: number[] = [];
    const result = (await mcp.callTool({ name: "packages_install", arguments: { device: DEVICE, names: ["htop"] } }, undefined, {
      onprogress: (p) => {
        events.push("progress");
        progress.push(p.progress);
      },
    })) as CallToolResult;
    events.push("result");
    expect(data(result)).toMatchObject({ packages: [{ name: "htop", installed: true, version: "3.0.5-7build2" }], summary: { newlyInstalled: 2 } });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(100);
    expect(events.at(-1)).toBe("result");
    expect(data(await call("packages_list", { match: "htop" }))).toMatchObject({ packages: [{ name: "htop", status: "installed" }] });
  });

  it("removes only with confirmation", async () => {
    expect(text(await call("packages_remove", { names: ["htop"] }))).toMatch(/destructive/);
    expect(data(await call("packages_remove", { names: ["htop"], confirm: true }))).toMatchObject({ packages: [{ name: "htop", installed: false }] });
  });

  it("refuses `vim; reboot` and packages outside the allowlist, running nothing", async () => {
    expect(await refused("packages_install", { names: ["vim; reboot"] })).toMatch(/Debian package name/);
    expect(await refused("packages_install", { names: ["tmux"] })).toMatch(/Not in this device's packages.allow list: tmux/);
  });
});

describe("storage, network, logs and time", () => {
  it("reports disk use per mount and the largest folders", async () => {
    const usage = data<{ mounts: Array<{ mountpoint: string; sizeBytes: number; usePercent: number }> }>(await call("storage_usage", {}));
    expect(usage.mounts.map((m) => m.mountpoint)).toEqual(["/", "/data"]);
    const largest = data<{ folders: Array<{ path: string }>; complete: boolean }>(await call("storage_largest", { path: "/usr", depth: 1, count: 2 }));
    expect(largest).toMatchObject({ complete: true, folders: [{ path: "/usr/lib" }, { path: "/usr/local" }] });
  });

  it("reports interfaces, routes and DNS, and pings", async () => {
    const info = data<{ interfaces: Array<{ name: string }>; defaultRoutes: Array<{ gateway: string }>; dns: { servers: string[] } }>(await call("network_info", {}));
    expect(info.interfaces.map((i) => i.name)).toContain("eth0");
    expect(info.defaultRoutes[0]?.gateway).toBe("192.168.1.1");
    expect(info.dns.servers).toEqual(["192.168.1.1"]);
    expect(data(await call("network_ping", { host: "192.168.1.1", count: 2 }))).toMatchObject({ reachable: true, received: 2, lossPercent: 0 });
  });

  it("refuses a ping host like `-f 127.0.0.1`, running nothing", async () => {
    expect(await refused("network_ping", { host: "-f 127.0.0.1" })).toMatch(/a hostname .* or an IPv4 or IPv6 address/);
  });

  it("reads a unit's journal at a priority", async () => {
    const journal = data<{ entries: Array<{ priorityName: string; message: string }> }>(await call("logs_journal", { unit: "camera-pipeline", priority: "err" }));
    expect(journal.entries.map((e) => e.message)).toEqual(["RuntimeError: Failed to open camera /dev/video0: no such device", "Failed to start Camera inference pipeline."]);
  });

  it("reports the clock, time zone and NTP", async () => {
    expect(data(await call("time_status", {}))).toMatchObject({ timezone: "America/Los_Angeles", ntpSynchronized: true });
  });
});

describe("processes", () => {
  it("lists the top processes and stops one with confirmation", async () => {
    const top = data<{ byCpu: Array<{ pid: number; command: string }> }>(await call("processes_top", { count: 3 }));
    expect(top.byCpu[0]).toMatchObject({ pid: 2210, command: "python3" });
    expect(data(await call("processes_kill", { pid: 2290, confirm: true }))).toMatchObject({ command: "gst-launch-1.0", signals: ["TERM"], exited: true });
  });

  it("refuses pid 1 and the bridge itself", async () => {
    expect(await refused("processes_kill", { pid: 1, confirm: true })).toMatch(/PID 1 is not stopped: it is init/);
    // The ps stand-in lists the bridge that runs it.
    const { byCpu } = data<{ byCpu: Array<{ pid: number; command: string; user: string }> }>(await call("processes_top", { count: 50 }));
    const self = byCpu.find((p) => p.command === "node" && p.user === "jetson-bridge");
    const result = await call("processes_kill", { pid: self?.pid, confirm: true });
    expect(text(result)).toMatch(/the bridge itself/);
    expect((await callLog()).split("\n").filter((line) => line.includes('"program":"kill"'))).toHaveLength(1);
  });
});

describe("power", () => {
  const presence = async (device: string) => data<{ online: boolean; lastSeen?: number }>(await mcp.callTool({ name: "get_device", arguments: { device } }) as CallToolResult);

  it("shuts down: the device says when, and shows offline once the system stops the bridge", async () => {
    const power = await stack.addBridge("power-1", "orin-nano-super-jp6");
    const down = data<{ poweringOff: boolean; at: number }>(await call("power_shutdown", { confirm: true }, "power-1"));
    expect(down.poweringOff).toBe(true);
    // On a board, poweroff stops the bridge: here the test does it.
    await power.stop("SIGTERM");
    await waitFor(async () => !(await presence("power-1")).online);
    expect((await presence("power-1")).lastSeen).toBeGreaterThanOrEqual(down.at);
  });

  it("reboots: offline, then online again with a fresh uptime", async () => {
    const power = await stack.addBridge("reboot-1", "xavier-nx-jp51");
    expect(data(await call("power_reboot", { confirm: true }, "reboot-1"))).toMatchObject({ rebooting: true });
    await power.stop("SIGTERM");
    await waitFor(async () => !(await presence("reboot-1")).online);
    await power.start();
    await waitFor(async () => (await presence("reboot-1")).online);
    const info = data<{ uptimeSeconds: number }>(await call("system_info", {}, "reboot-1"));
    expect(info.uptimeSeconds).toBeLessThan(120);
  });
});
