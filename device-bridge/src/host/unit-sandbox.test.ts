import { describe, expect, it } from "vitest";
import { renderReadWritePaths } from "./unit-sandbox.js";

const config = (stateDir: string, modelsDir = `${stateDir}/models`) => ({ sudo: { programs: [] }, stateDir, models: { dir: modelsDir } });

describe("the unit's ReadWritePaths lines", () => {
  it("names the bridge's own folders outside its StateDirectory, one plain path a line", () => {
    expect(renderReadWritePaths(config("/var/lib/jetson-bridge"))).toBe("# ReadWritePaths: none; the configured actions write only the StateDirectory.\n");
    const lines = renderReadWritePaths(config("/srv/bridge", "/data/models")).split("\n").filter((line) => line.startsWith("ReadWritePaths="));
    expect(lines).toEqual(["ReadWritePaths=/srv/bridge", "ReadWritePaths=/data/models"]);
  });

  it("renders nothing from a folder that would add a setting, lift the sandbox or open a system tree, even where no schema checked it", () => {
    // The reviewer's configuration: a line break would make ExecStartPre=+ (run as root) a setting of its own.
    const injected = "/var/lib/jb\nExecStartPre=+/bin/sh -c 'id > /root/pwned'\n#";
    expect(() => renderReadWritePaths(config(injected, "/var/lib/jetson-bridge/models"))).toThrow(/^stateDir ".*" cannot be written into the unit: it must be an absolute path of plain names/);
    for (const folder of ["/var/lib/a b", "/var/lib/%h", '/var/lib/"x"', "/var/lib/x\\ny"]) {
      expect(() => renderReadWritePaths(config("/var/lib/jetson-bridge", folder)), folder).toThrow(/^models\.dir ".*" cannot be written into the unit: it must be an absolute path of plain names/);
    }
    // ReadWritePaths=/ would undo ProtectSystem=strict altogether.
    expect(() => renderReadWritePaths(config("/", "/var/lib/jetson-bridge/models"))).toThrow(/^stateDir "\/" cannot be written into the unit: it must be a folder of its own/);
    expect(() => renderReadWritePaths(config("/var/lib/jetson-bridge", "/"))).toThrow(/^models\.dir "\/" cannot be written into the unit/);
    expect(() => renderReadWritePaths(config("/etc/sudoers.d"))).toThrow(/must lie outside \/etc/);
    expect(() => renderReadWritePaths(config("/var/lib/jetson-bridge/../../../etc"))).toThrow(/must not have \. or \.\. segments/);
  });
});
