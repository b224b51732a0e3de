import { afterEach, describe, expect, it } from "vitest";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

describe("the journal on a simulated Xavier NX", () => {
  it("reads the last entries of the whole system, oldest first", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    const { entries, truncated } = await board.run("logs.journal", { lines: 5 });
    expect(entries).toHaveLength(5);
    expect(truncated).toBe(false);
    expect(entries.map((e) => e.time)).toEqual(entries.map((e) => e.time).sort());
    expect(entries.at(-1)).toMatchObject({ identifier: "sshd", unit: "ssh.service", priorityName: "info" });
  });

  it("filters by unit and priority, and follows what services do", async () => {
    board = await simulatedBoard("xavier-nx-jp51", undefined, { services: { allow: ["nginx.service"] } });
    const errors = await board.run("logs.journal", { unit: "camera-pipeline", priority: "err" });
    expect(errors.entries.map((e) => [e.priorityName, e.message])).toEqual([
      ["err", "RuntimeError: Failed to open camera /dev/video0: no such device"],
      ["err", "Failed to start Camera inference pipeline."],
    ]);
    expect(errors.entries[0]).toMatchObject({ unit: "camera-pipeline.service", identifier: "python3", pid: 1980 });
    await board.run("services.start", { unit: "nginx" });
    const nginx = await board.run("logs.journal", { unit: "nginx", since: "-5min" });
    expect(nginx.entries.map((e) => e.message)).toEqual([
      "Starting A high performance web server and a reverse proxy server...",
      "Started A high performance web server and a reverse proxy server.",
    ]);
    expect((await board.calls()).find((c) => c.program === "journalctl")?.argv).toEqual([
      "--output=json",
      "--no-pager",
      "--quiet",
      "--lines=100",
      "--unit=camera-pipeline.service",
      "--priority=err",
    ]);
  });

  it("keeps the newest entries within maxBytes", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    const all = await board.run("logs.journal", { lines: 1000, maxBytes: 512 * 1024 });
    const capped = await board.run("logs.journal", { lines: 1000, maxBytes: 4096 });
    expect(capped.truncated).toBe(true);
    expect(capped.entries.length).toBeLessThan(all.entries.length);
    expect(capped.entries).toEqual(all.entries.slice(-capped.entries.length));
  });

  it("passes the since forms journalctl reads, and refuses others before it runs", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    // The board booted an hour ago: after yesterday's midnight whatever the time of day (not always after today's).
    expect((await board.run("logs.journal", { since: "yesterday" })).entries.length).toBeGreaterThan(0);
    expect((await board.run("logs.journal", { since: "-2h" })).entries.length).toBeGreaterThan(0);
    expect((await board.calls()).at(-1)?.argv).toContain("--since=-2h");
    expect((await board.run("logs.journal", { since: "2099-01-01 00:00" })).entries).toEqual([]);
    const before = (await board.calls()).length;
    await expect(board.run("logs.journal", { since: "1 hour ago; reboot" })).rejects.toThrow(/YYYY-MM-DD/);
    expect((await board.calls()).length).toBe(before);
  });
});
