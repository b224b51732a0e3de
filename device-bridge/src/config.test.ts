import { mkdir, mkdtemp, realpath, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

const valid = { url: "http://127.0.0.1:8787", fleet: "local", deviceId: "orin-1", token: "t".repeat(32) };

async function configFile(content: unknown): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), "cfg-")), "bridge.json");
  await writeFile(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

describe("bridge configuration", () => {
  it("reads a file and fills defaults", async () => {
    const config = await loadConfig(await configFile(valid), {});
    expect(config.root).toBe("/");
    expect(config.keepaliveSeconds).toBe(60);
    expect(config.reconnect).toEqual({ minMs: 500, maxMs: 30_000 });
  });

  it("lets environment variables override the file", async () => {
    const config = await loadConfig(await configFile(valid), {
      JETSON_BRIDGE_DEVICE_ID: "nano-2",
      JETSON_BRIDGE_PROGRAM_DIRS: "/sim/usr/bin:/usr/bin",
      JETSON_BRIDGE_KEEPALIVE_SECONDS: "30",
    });
    expect(config.deviceId).toBe("nano-2");
    expect(config.programDirs).toEqual(["/sim/usr/bin", "/usr/bin"]);
    expect(config.keepaliveSeconds).toBe(30);
  });

  it("names every bad field", async () => {
    const file = await configFile({ ...valid, url: "ftp://x", deviceId: "Orin/1", keepaliveSeconds: 1 });
    const error = await loadConfig(file, {}).catch((e: Error) => e);
    expect(String(error)).toMatch(/url:/);
    expect(String(error)).toMatch(/deviceId:/);
    expect(String(error)).toMatch(/keepaliveSeconds:/);
  });

  it("samples every second and batches every five by default, with a buffer for a day offline", async () => {
    const config = await loadConfig(await configFile(valid), {});
    expect(config.telemetry).toEqual({
      sampleMs: 1_000,
      batchMs: 5_000,
      maxBatchBytes: 256 * 1024,
      buffer: { fullResolutionMs: 600_000, thinnedIntervalMs: 60_000, maxSamples: 5_000 },
    });
    const small = await configFile({ ...valid, telemetry: { buffer: { maxSamples: 1_000 } } });
    await expect(loadConfig(small, {})).rejects.toThrow(/telemetry\.buffer\.maxSamples: .*24 hours/);
  });

  it("limits the administration actions: no units, any package, the whole disk by default", async () => {
    const config = await loadConfig(await configFile(valid), {});
    expect(config.services).toEqual({ allow: [] });
    expect(config.packages).toEqual({});
    expect(config.storage).toEqual({ roots: ["/"] });
    const limited = await loadConfig(await configFile({ ...valid, services: { allow: ["nginx", "fstrim.timer"] }, packages: { allow: ["htop"] } }), {});
    expect(limited.services.allow).toEqual(["nginx.service", "fstrim.timer"]);
    expect(limited.packages.allow).toEqual(["htop"]);
    // Unit names end up in the sudoers file, so anything but a plain name is refused here.
    const hostile = await configFile({ ...valid, services: { allow: ["nginx, ALL"] }, packages: { allow: ["vim; reboot"] }, storage: { roots: ["/var/../etc"] } });
    const error = String(await loadConfig(hostile, {}).catch((e: Error) => e));
    expect(error).toMatch(/services\.allow\.0:/);
    expect(error).toMatch(/packages\.allow\.0:/);
    expect(error).toMatch(/storage\.roots\.0:/);
  });

  it("refuses the bridge's own unit in services.allow, by either name: services_stop would take the device offline", async () => {
    for (const unit of ["jetson-bridge", "jetson-bridge.service"]) {
      const error = String(await loadConfig(await configFile({ ...valid, services: { allow: ["nginx", unit] } }), {}).catch((e: Error) => e));
      expect(error, unit).toMatch(/services\.allow\.1: jetson-bridge\.service is the unit the bridge itself runs as: stopping or disabling it would take the device offline/);
    }
    expect((await loadConfig(await configFile({ ...valid, services: { allow: ["jetson-bridge-helper"] } }), {})).services.allow).toEqual(["jetson-bridge-helper.service"]);
  });

  it("opens no port to the tunnel by default, and refuses a port that is not one, naming the field", async () => {
    expect((await loadConfig(await configFile(valid), {})).tunnelPorts).toEqual([]);
    expect((await loadConfig(await configFile({ ...valid, tunnelPorts: [8080, 8443] }), {})).tunnelPorts).toEqual([8080, 8443]);
    const error = String(await loadConfig(await configFile({ ...valid, tunnelPorts: [8080, 0, 70_000] }), {}).catch((e: Error) => e));
    expect(error).toMatch(/tunnelPorts\.1:/);
    expect(error).toMatch(/tunnelPorts\.2:/);
  });

  it("refuses a cloud URL in clear text unless it is a loopback address, naming the field", async () => {
    for (const url of ["http://fleet.example.com", "ws://10.0.0.5:8787", "http://127.0.0.1.example.com", "http://[::2]:8787"]) {
      const error = String(await loadConfig(await configFile({ ...valid, url }), {}).catch((e: Error) => e));
      expect(error, url).toMatch(/url: .*https: or wss:.*loopback/);
    }
    for (const url of ["https://fleet.example.com", "wss://fleet.example.com/x", "http://127.0.0.1:8787", "http://127.8.9.10", "ws://localhost:8787", "http://[::1]:8787"]) {
      expect((await loadConfig(await configFile({ ...valid, url }), {})).url, url).toBe(url);
    }
    await expect(loadConfig(await configFile(valid), { JETSON_BRIDGE_URL: "http://fleet.example.com" })).rejects.toThrow(/url: /);
  });

  it("lets model downloads come from no loopback or link-local origin but those named, refusing what is not an origin", async () => {
    expect((await loadConfig(await configFile(valid), {})).models.localSources).toBeUndefined();
    const named = await loadConfig(await configFile({ ...valid, models: { localSources: ["http://127.0.0.1:8080", "https://[::1]:443/", "http://localhost:80"] } }), {});
    expect(named.models.localSources).toEqual(["http://127.0.0.1:8080", "https://[::1]", "http://localhost"]);
    const error = String(await loadConfig(await configFile({ ...valid, models: { localSources: ["http://127.0.0.1:8080/models", "ftp://127.0.0.1", "127.0.0.1:8080"] } }), {}).catch((e: Error) => e));
    expect(error).toMatch(/models\.localSources\.0: .*no path/);
    expect(error).toMatch(/models\.localSources\.1:/);
    expect(error).toMatch(/models\.localSources\.2:/);
  });

  it("refuses a stateDir or models.dir the unit file could not hold as one plain folder of the bridge's own, naming the field", async () => {
    const refused = async (content: unknown, env: NodeJS.ProcessEnv = {}) => String(await loadConfig(await configFile(content), env).catch((e: Error) => e));
    // Written into ReadWritePaths= as root: a line break would add a setting of its own, run as root.
    const injected = "/var/lib/jb\nExecStartPre=+/bin/sh -c 'id > /root/pwned'\n#";
    expect(await refused({ ...valid, stateDir: injected })).toMatch(/stateDir: must be an absolute path of plain names/);
    expect(await refused(valid, { JETSON_BRIDGE_STATE_DIR: injected })).toMatch(/stateDir: must be an absolute path of plain names/);
    expect(await refused({ ...valid, models: { dir: "/data/my models" } })).toMatch(/models\.dir: must be an absolute path of plain names/);
    for (const folder of ["/var/lib/jb\tx", '/var/lib/"jb"', "/var/lib/%h", "/var/lib/jb\\x0a", "/var/lib/jb/", "/var//lib/jb", "var/lib/jb"]) {
      expect(await refused({ ...valid, stateDir: folder }), folder).toMatch(/stateDir: must be an absolute path of plain names/);
    }
    // "/" or a top-level folder would leave all of it writable; the system's own trees stay read-only.
    for (const folder of ["/", "/var", "/data"]) {
      expect(await refused({ ...valid, stateDir: folder }), folder).toMatch(/stateDir: must be a folder of its own, at least two levels below \//);
      expect(await refused({ ...valid, models: { dir: folder } }), folder).toMatch(/models\.dir: must be a folder of its own/);
    }
    expect(await refused({ ...valid, stateDir: "/etc/jetson-bridge" })).toMatch(/stateDir: must lie outside \/etc/);
    expect(await refused({ ...valid, models: { dir: "/usr/lib/models" } })).toMatch(/models\.dir: must lie outside \/usr/);
    expect(await refused({ ...valid, stateDir: "/var/lib/../../etc" })).toMatch(/stateDir: must not have \. or \.\. segments/);
    const fine = await loadConfig(await configFile({ ...valid, stateDir: "/srv/bridge", models: { dir: "/data/models" } }), {});
    expect([fine.stateDir, fine.models.dir]).toEqual(["/srv/bridge", "/data/models"]);
  });

  it("refuses a stateDir or models.dir inside, equal to or around a volume root, naming both paths", async () => {
    const refused = async (content: unknown) => String(await loadConfig(await configFile(content), {}).catch((e: Error) => e));
    // The jetson-containers layout: a container mounting /data/ssd could swap the store for a link to /etc.
    expect(await refused({ ...valid, docker: { volumeRoots: ["/data/ssd"] }, models: { dir: "/data/ssd/models" } })).toMatch(
      /docker\.volumeRoots: models\.dir \/data\/ssd\/models and the volume root \/data\/ssd \(docker\.volumeRoots\) overlap/,
    );
    expect(await refused({ ...valid, docker: { volumeRoots: ["/srv/bridge"] }, stateDir: "/srv/bridge" })).toMatch(/stateDir \/srv\/bridge and the volume root \/srv\/bridge/);
    expect(await refused({ ...valid, docker: { volumeRoots: ["/var/lib/jetson-bridge/models/shared"] } })).toMatch(/stateDir \/var\/lib\/jetson-bridge and the volume root/);
    // A root named through a link is compared where it leads, also for a store not created yet.
    const base = await realpath(await mkdtemp(path.join(tmpdir(), "roots-")));
    await mkdir(path.join(base, "ssd"));
    await symlink(path.join(base, "ssd"), path.join(base, "data"));
    expect(await refused({ ...valid, docker: { volumeRoots: [path.join(base, "data")] }, models: { dir: path.join(base, "ssd/models") } })).toMatch(/models\.dir .* overlap/);
    const beside = await loadConfig(await configFile({ ...valid, docker: { volumeRoots: ["/data/ssd", "/srv/shared"] }, models: { dir: "/data/models" } }), {});
    expect(beside.docker.volumeRoots).toEqual(["/data/ssd", "/srv/shared"]);
  });

  it("refuses a program folder with .. or control characters, naming the field", async () => {
    const error = String(await loadConfig(await configFile({ ...valid, programDirs: ["/usr/bin", "/usr/bin/../../tmp", "/usr/bin\n"] }), {}).catch((e: Error) => e));
    expect(error).toMatch(/programDirs\.1: a path without \.\. segments/);
    expect(error).toMatch(/programDirs\.2: an absolute path \(starting with \/\) without control characters/);
  });

  it("says when the file is missing or not JSON", async () => {
    await expect(loadConfig("/nonexistent/bridge.json", {})).rejects.toThrow(/Cannot read configuration file/);
    await expect(loadConfig(await configFile("{nope"), {})).rejects.toThrow(/not a JSON object/);
  });
});
