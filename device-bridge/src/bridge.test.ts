import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BRIDGE = fileURLToPath(new URL("../bin/jetson-bridge.js", import.meta.url));

describe("a bridge that cannot start one of the devices it serves", () => {
  it("stops what it started and exits with the reason, rather than running on without that device", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bridge-start-"));
    const config = path.join(dir, "bridge.json");
    // Its own device starts (the cloud is not there: it keeps trying), then the gateway device's key cannot be read.
    await writeFile(
      config,
      JSON.stringify({
        url: "ws://127.0.0.1:9",
        fleet: "local",
        deviceId: "gateway-1",
        token: "t".repeat(32),
        stateDir: path.join(dir, "state"),
        gateway: [
          {
            deviceId: "old-nano",
            token: "n".repeat(32),
            ssh: { host: "127.0.0.1", port: 22, username: "jetson", privateKeyFile: path.join(dir, "no-such.key"), hostKeySha256: `SHA256:${"A".repeat(43)}` },
          },
        ],
      }),
    );
    const exited = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [BRIDGE, "run", "--config", config], { timeout: 30_000 }, (_error, _stdout, stderr) =>
        resolve({ code: child.exitCode, stderr }),
      );
    });
    expect(exited.stderr).toMatch(/no-such\.key/);
    // 1: it exited by itself (a kill at the timeout would leave no exit code).
    expect(exited.code).toBe(1);
  }, 40_000);
});
