import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type SimulatedBoard, simulatedBoard } from "./actions/simulated-board.js";
import { readDeviceState } from "./device-state.js";
import { NodeHost } from "./host/node-host.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

const CAPABILITIES = new Set(["power.set", "system.info"]);

/** The simulated board's files, with programs only from `bin` (none: no nvpmodel). */
const hostWith = (bin: string[]) => new NodeHost({ root: board.sim.root, programDirs: bin, defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20 });

describe("the state a device reports", () => {
  it("names the board, its release and its current power mode, as nvpmodel -q gives it", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    expect(await readDeviceState(board.host, CAPABILITIES)).toMatchObject({
      hostname: "agx-orin-jp6-test",
      board: "NVIDIA Jetson AGX Orin Developer Kit",
      jetpack: expect.stringMatching(/^6/),
      powerMode: { id: 2, name: "MODE_30W" },
      capabilities: ["power.set", "system.info"],
    });
  });

  it("reads each board's own mode names", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    expect((await readDeviceState(board.host, CAPABILITIES)).powerMode).toEqual({ id: 1, name: "25W" });
  });

  it("leaves the power mode out where nvpmodel is missing or fails, and still reports the rest", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    const missing = await readDeviceState(hostWith([]), CAPABILITIES);
    expect(missing).toMatchObject({ hostname: "xavier-nx-jp51-test", board: expect.stringContaining("Xavier NX") });
    // Sent as JSON, the state then has no powerMode at all.
    expect(JSON.parse(JSON.stringify(missing))).not.toHaveProperty("powerMode");

    const bin = await mkdtemp(path.join(tmpdir(), "broken-nvpmodel-"));
    try {
      await writeFile(path.join(bin, "nvpmodel"), "#!/bin/sh\necho 'NVPM ERROR: failed to read PARAM' >&2\nexit 1\n");
      await chmod(path.join(bin, "nvpmodel"), 0o755);
      const failing = await readDeviceState(hostWith([bin]), CAPABILITIES);
      expect(failing.powerMode).toBeUndefined();
      expect(failing.hostname).toBe("xavier-nx-jp51-test");
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });
});
