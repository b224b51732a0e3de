import { afterEach, describe, expect, it } from "vitest";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

const allowNginx = { services: { allow: ["nginx.service", "camera-pipeline.service"] } };

describe("services on a simulated AGX Orin", () => {
  it("lists the units with their state, and only the failed ones when asked", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const all = await board.run("services.list", {});
    expect(all.units.find((u) => u.unit === "nvargus-daemon.service")).toEqual({
      unit: "nvargus-daemon.service",
      load: "loaded",
      active: "active",
      sub: "running",
      description: "Argus daemon",
    });
    expect(all.counts.failed).toBe(1);
    expect(all.counts.total).toBe(all.units.length);
    const failed = await board.run("services.list", { state: "failed" });
    expect(failed.units.map((u) => u.unit)).toEqual(["camera-pipeline.service"]);
    expect((await board.calls()).at(-1)).toEqual({
      program: "systemctl",
      argv: ["list-units", "--type=service", "--all", "--no-pager", "--plain", "--no-legend", "--state=failed"],
    });
  });

  it("reports one unit's status, .service added, and says whether the device lets it change", async () => {
    board = await simulatedBoard("agx-orin-jp6", undefined, allowNginx);
    expect(await board.run("services.status", { unit: "nvargus-daemon" })).toMatchObject({
      unit: "nvargus-daemon.service",
      exists: true,
      activeState: "active",
      subState: "running",
      unitFileState: "enabled",
      mainPid: 745,
      memoryBytes: 65_536_000,
      fragmentPath: "/lib/systemd/system/nvargus-daemon.service",
      changeAllowed: false,
    });
    expect(await board.run("services.status", { unit: "nginx" })).toMatchObject({ activeState: "inactive", unitFileState: "disabled", changeAllowed: true });
    expect(await board.run("services.status", { unit: "nosuch" })).toMatchObject({ unit: "nosuch.service", exists: false, loadState: "not-found" });
  });

  it("starts, restarts, enables, disables and stops an allowed unit, with its state before and after", async () => {
    board = await simulatedBoard("agx-orin-jp6", undefined, allowNginx);
    const start = await board.run("services.start", { unit: "nginx" });
    expect(start).toMatchObject({ unit: "nginx.service", changed: true, before: { activeState: "inactive" }, after: { activeState: "active", subState: "running", mainPid: 4400 } });
    expect(start.message).toBe("nginx.service is now active (running), disabled.");
    expect((await board.run("services.start", { unit: "nginx" })).changed).toBe(false);
    expect((await board.run("services.restart", { unit: "nginx" })).after.activeState).toBe("active");
    expect((await board.run("services.enable", { unit: "nginx" })).after.unitFileState).toBe("enabled");
    expect((await board.run("services.disable", { unit: "nginx" })).after.unitFileState).toBe("disabled");
    expect((await board.run("services.stop", { unit: "nginx" })).after).toMatchObject({ activeState: "inactive", subState: "dead" });
    // As the sudoers file names them: exactly `systemctl VERB UNIT`.
    const changes = (await board.calls()).filter((c) => c.argv[0] !== "show").map((c) => `${c.program} ${c.argv.join(" ")}`);
    expect(changes).toEqual([
      "systemctl start nginx.service",
      "systemctl start nginx.service",
      "systemctl restart nginx.service",
      "systemctl enable nginx.service",
      "systemctl disable nginx.service",
      "systemctl stop nginx.service",
    ]);
  });

  it("refuses a unit outside services.allow before running anything", async () => {
    board = await simulatedBoard("agx-orin-jp6", undefined, allowNginx);
    for (const action of ["services.start", "services.stop", "services.restart", "services.enable", "services.disable"] as const) {
      const error = await board.run(action, { unit: "nvargus-daemon" }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "permission_denied" });
      expect((error as Error).message).toMatch(/^nvargus-daemon.service is not in this device's services.allow list \(nginx.service, camera-pipeline.service\)/);
    }
    await expect(simulatedBoard("agx-orin-jp6").then((b) => ((board = b), b.run("services.stop", { unit: "ssh" })))).rejects.toThrow(/services.allow list \(empty\)/);
    expect(await board.calls()).toEqual([]);
  });

  it("says why a unit failed to start and where its log is", async () => {
    board = await simulatedBoard("agx-orin-jp6", undefined, allowNginx);
    const error = await board.run("services.start", { unit: "camera-pipeline" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "handler_failed" });
    expect((error as Error).message).toMatch(/Job for camera-pipeline.service failed .* Its log: logs_journal with unit camera-pipeline.service\.$/s);
  });
});
