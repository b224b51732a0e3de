import { randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { BridgeConfigSchema } from "@jetson/device-bridge/provisioning";
import { describe, expect, it } from "vitest";
import { existingCredential, readSettings, renderConfig, renderUnit } from "./device-files.js";

const credential = { url: "https://fleet.example.com", fleet: "acme", deviceId: "cam-7", token: "t".repeat(32) };
const config = (settings: Record<string, unknown>) => BridgeConfigSchema.parse({ ...credential, ...settings });

/** The unit's ReadWritePaths, in order. */
const writable = (unit: string) => [...unit.matchAll(/^ReadWritePaths=(.*)$/gm)].map((m) => m[1]);

describe("the systemd unit provisioning installs", () => {
  it("leaves writable exactly what the default actions write: nvpmodel's status and the saved clock settings", async () => {
    const unit = await renderUnit("/usr/bin/node", config({ sudo: { programs: ["nvpmodel", "jetson_clocks", "systemctl"] } }));
    expect(unit).toContain("ProtectSystem=strict\n");
    expect(writable(unit)).toEqual(["/var/lib/nvpmodel", "/var/lib/jetson-bridge-clocks"]);
    // Each path says which actions need it.
    expect(unit).toMatch(/^# nvpmodel \(power\.get, power\.modes, power\.set, power\.reboot\): .*\nReadWritePaths=\/var\/lib\/nvpmodel$/m);
    expect(unit).toMatch(/^# jetson_clocks \(clocks\.status, clocks\.lock, clocks\.restore\): .*\nReadWritePaths=\/var\/lib\/jetson-bridge-clocks$/m);
    expect(unit).not.toContain("@ReadWritePaths@");
  });

  it("lets package management write dpkg's database, apt's lists and cache and what packages install, and only with apt-get enabled", async () => {
    const withPackages = await renderUnit("/usr/bin/node", config({ sudo: { programs: ["systemctl", "apt-get", "kill"] } }));
    expect(writable(withPackages)).toEqual(["/var/lib/dpkg", "/var/lib/apt", "/var/cache/apt", "/var/cache/debconf", "/var/log", "/usr", "/etc", "/opt", "-/boot"]);
    expect(withPackages).toMatch(/^# apt-get \(packages\.refresh, packages\.install, packages\.remove, packages\.upgrade\): dpkg's database and lock\nReadWritePaths=\/var\/lib\/dpkg$/m);

    const without = await renderUnit("/usr/bin/node", config({ sudo: { programs: ["systemctl", "kill"] } }));
    expect(writable(without)).toEqual([]);
    expect(without).toContain("# ReadWritePaths: none;");
  });

  it("adds the bridge's own folders where the configuration puts them outside its StateDirectory", async () => {
    expect(writable(await renderUnit("/usr/bin/node", config({ stateDir: "/var/lib/jetson-bridge", models: { dir: "/var/lib/jetson-bridge/models" } })))).toEqual([]);
    const elsewhere = await renderUnit("/usr/local/bin/node", config({ stateDir: "/srv/bridge", models: { dir: "/data/models" } }));
    expect(writable(elsewhere)).toEqual(["/srv/bridge", "/data/models"]);
    expect(elsewhere).toContain("ExecStart=/usr/local/bin/node /opt/jetson-bridge/jetson-bridge.mjs launch --releases /var/lib/jetson-bridge/releases -- run --config /etc/jetson-bridge/config.json\n");
  });
});

describe("the credential in a device's configuration", () => {
  const updateKey = randomBytes(32).toString("base64url");
  const settings = { sudo: { programs: ["nvpmodel"] } };

  it("writes the fleet's update key with the credential, and keeps it when the device is provisioned again", () => {
    const { text } = renderConfig(settings, { ...credential, updateKey });
    expect(JSON.parse(text)).toMatchObject({ ...credential, updateKey, ...settings });
    const held = existingCredential(text, credential.url, credential.deviceId);
    expect(held).toEqual({ ...credential, updateKey });
    expect(renderConfig(settings, held ?? credential).text).toBe(text);
  });

  it("writes no update key for a fleet without one", () => {
    const { text } = renderConfig(settings, credential);
    expect(JSON.parse(text)).not.toHaveProperty("updateKey");
    expect(existingCredential(text, credential.url, credential.deviceId)).toEqual(credential);
  });

  it("is none for another fleet URL or another device id", () => {
    const { text } = renderConfig(settings, credential);
    expect(existingCredential(text, "https://other.example.com", credential.deviceId)).toBeUndefined();
    expect(existingCredential(text, credential.url, "cam-8")).toBeUndefined();
  });

  it("refuses settings that set the update key: it comes from the fleet", async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), "settings-")), "settings.json");
    await writeFile(file, JSON.stringify({ ...settings, updateKey }));
    await expect(readSettings(file)).rejects.toThrow(/sets updateKey: provisioning writes the credential and the update key itself/);
  });
});
