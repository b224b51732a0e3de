import { afterEach, describe, expect, it } from "vitest";
import { setLoad } from "../../sim/index.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

describe("hardware.info", () => {
  it("names the Nano, its module and carrier, JetPack 4.6.6 and CUDA 10.2 from version.txt", async () => {
    board = await simulatedBoard("nano-jp46");
    const info = await board.run("hardware.info", {});
    expect(info).toMatchObject({
      hostname: "nano-jp46-test",
      board: "NVIDIA Jetson Nano Developer Kit",
      serialNumber: "1422019072517",
      soc: "tegra210",
      family: "Nano/TX1",
      module: { partNumber: "p3448-0000", name: "Jetson Nano 4GB" },
      carrier: "p3449-0000",
      l4t: "32.7.6",
      jetpack: "4.6.6",
      cuda: "10.2.300",
      kernel: "4.9.337-tegra",
      cpuCount: 4,
      memory: { totalMB: 3964, swapTotalMB: 1982 },
      storage: { path: "/" },
    });
    expect(info.storage?.totalMB).toBeGreaterThan(0);
    expect(info.gpus).toBeUndefined();
  });

  it("leaves the serial number out where the device tree has none", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    const info = await board.run("hardware.info", {});
    expect(info.board).toBe("NVIDIA Jetson Xavier NX Developer Kit");
    expect(info).not.toHaveProperty("serialNumber");
  });

  it("names the AGX Orin on JetPack 6.2.1 with CUDA 12.6 from version.json", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    expect(await board.run("hardware.info", {})).toMatchObject({
      serialNumber: "1424122012345",
      soc: "tegra234",
      family: "Orin",
      module: { partNumber: "p3701-0000", name: "Jetson AGX Orin" },
      carrier: "p3737-0000",
      l4t: "36.4.4",
      jetpack: "6.2.1",
      cuda: "12.6.68",
      cpuCount: 12,
      memory: { totalMB: 62841 },
    });
  });

  it.each([
    ["agx-xavier-jp51", { soc: "tegra194", family: "Xavier", module: { partNumber: "p2888-0001", name: "Jetson AGX Xavier 16GB" }, carrier: "p2822-0000", l4t: "35.4.1", jetpack: "5.1.2", cpuCount: 8 }],
    ["orin-nx-16gb-super-jp62", { soc: "tegra234", family: "Orin", module: { partNumber: "p3767-0000", name: "Jetson Orin NX 16GB" }, carrier: "p3768-0000", l4t: "36.4.3", jetpack: "6.2", cpuCount: 8 }],
    ["agx-thor-jp7", { soc: "tegra264", family: "Thor", module: { partNumber: "p3834-0008", name: "Jetson AGX Thor (developer kit module)" }, carrier: "p3971-0080", l4t: "38.4.0", jetpack: "7.1", cuda: "13.0.48", cpuCount: 14 }],
  ] as const)("names the %s's module, carrier and JetPack", async (id, expected) => {
    board = await simulatedBoard(id);
    expect(await board.run("hardware.info", {})).toMatchObject(expected);
  });
});

describe("hardware.temperatures", () => {
  it("reads every Orin zone by name, leaving the offline CV sensors out", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const temps = await board.run("hardware.temperatures", {});
    expect(temps.sensors.map((s) => s.name)).toEqual(["cpu-thermal", "gpu-thermal", "soc0-thermal", "soc1-thermal", "soc2-thermal", "tj-thermal"]);
    expect(temps.omitted).toEqual([
      { name: "cv0-thermal", reason: "offline" },
      { name: "cv1-thermal", reason: "offline" },
      { name: "cv2-thermal", reason: "offline" },
    ]);
    for (const { tempC } of temps.sensors) expect(tempC).toBeGreaterThan(40);
    const cpuIdle = temps.sensors[0]?.tempC ?? 0;
    setLoad(board.sim.root, 100);
    const hot = await board.run("hardware.temperatures", {});
    expect(hot.sensors[0]?.tempC).toBeGreaterThan(cpuIdle + 20);
  });

  it("lists each sensor's trip points: where the kernel starts throttling (passive) and where it shuts down (critical)", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const temps = await board.run("hardware.temperatures", {});
    expect(temps.sensors[0]).toMatchObject({
      name: "cpu-thermal",
      trips: [
        { type: "passive", tempC: 99 },
        { type: "critical", tempC: 105 },
      ],
    });
  });

  it("leaves the Nano's fixed PMIC-Die placeholder out", async () => {
    board = await simulatedBoard("nano-jp46");
    const temps = await board.run("hardware.temperatures", {});
    expect(temps.sensors.map((s) => s.name)).toEqual(["AO-therm", "CPU-therm", "GPU-therm", "PLL-therm", "thermal-fan-est"]);
    expect(temps.omitted).toEqual([{ name: "PMIC-Die", reason: "placeholder" }]);
  });
});
