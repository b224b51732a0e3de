import { lstat, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { killUnitProcesses, runProgram, tempJetson } from "./testing.js";

// A service that says it is up (its pid and the greeting from its environment, in a file of the
// board), logs, and runs until SIGTERM.
const DEMO = `import { writeFileSync } from "node:fs";
const [dir] = process.argv.slice(2);
writeFileSync(\`\${dir}/ready\`, \`\${process.pid} \${process.env.DEMO_GREETING}\`);
console.log("demo started");
process.on("SIGTERM", () => {
  console.log("demo stopping");
  process.exit(0);
});
setInterval(() => undefined, 1000);
`;

const unitFile = (execStart: string, extra = "") => `[Unit]
Description=Demo service
After=network-online.target

[Service]
Type=simple
User=demo
Environment="DEMO_GREETING=hello there"
ExecStart=${execStart}
${extra}
[Install]
WantedBy=multi-user.target
`;

let sim: Awaited<ReturnType<typeof tempJetson>>;
beforeEach(async () => {
  sim = await tempJetson("agx-orin-jp6", { node: true });
  await mkdir(path.join(sim.root, "opt/demo"), { recursive: true });
  await mkdir(path.join(sim.root, "var/lib/demo"), { recursive: true });
  await mkdir(path.join(sim.root, "etc/systemd/system"), { recursive: true });
  await writeFile(path.join(sim.root, "opt/demo/demo.mjs"), DEMO);
});
afterEach(async () => {
  await killUnitProcesses(sim);
  await sim.remove();
});

const install = (name: string, text: string) => writeFile(path.join(sim.root, "etc/systemd/system", name), text);
const systemctl = (...args: string[]) => runProgram(sim, "systemctl", args);
const mainPid = async (unit: string) => Number((await systemctl("show", "-p", "MainPID", unit)).stdout.trim().split("=")[1]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls until `check` holds (every 25 ms, 10 s at most). */
async function until<T>(what: string, probe: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const ready = () => readFile(path.join(sim.root, "var/lib/demo/ready"), "utf8").catch(() => "");

describe("systemctl with unit files installed in /etc/systemd/system", () => {
  it("enables, starts, restarts and stops the unit, really running its ExecStart", async () => {
    await install("demo.service", unitFile("/usr/bin/node /opt/demo/demo.mjs /var/lib/demo"));
    expect(await systemctl("daemon-reload")).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await systemctl("is-enabled", "demo.service")).toEqual({ code: 1, stdout: "disabled\n", stderr: "" });
    expect(await systemctl("enable", "demo.service")).toEqual({
      code: 0,
      stdout: "",
      stderr: "Created symlink /etc/systemd/system/multi-user.target.wants/demo.service → /etc/systemd/system/demo.service.\n",
    });
    expect(await systemctl("enable", "demo")).toEqual({ code: 0, stdout: "", stderr: "" });
    expect((await lstat(path.join(sim.root, "etc/systemd/system/multi-user.target.wants/demo.service"))).isSymbolicLink()).toBe(true);
    expect(await systemctl("is-enabled", "demo")).toEqual({ code: 0, stdout: "enabled\n", stderr: "" });
    expect(await systemctl("is-active", "demo")).toEqual({ code: 3, stdout: "inactive\n", stderr: "" });

    expect(await systemctl("start", "demo.service")).toEqual({ code: 0, stdout: "", stderr: "" });
    const [, pid, greeting] = /^(\d+) (.*)$/.exec(await until("the service to be up", ready, (text) => text !== "")) ?? [];
    expect(greeting).toBe("hello there");
    expect(await systemctl("is-active", "demo")).toEqual({ code: 0, stdout: "active\n", stderr: "" });
    expect((await systemctl("show", "-p", "ActiveState,SubState,MainPID,UnitFileState", "demo")).stdout).toBe(
      `ActiveState=active\nSubState=running\nMainPID=${pid}\nUnitFileState=enabled\n`,
    );
    expect(await systemctl("start", "demo")).toMatchObject({ code: 0 });
    expect(await mainPid("demo")).toBe(Number(pid));

    expect(await systemctl("restart", "demo")).toEqual({ code: 0, stdout: "", stderr: "" });
    const restarted = await mainPid("demo");
    expect(restarted).not.toBe(Number(pid));
    expect(alive(Number(pid))).toBe(false);
    await until("the restarted service to be up", ready, (text) => text.startsWith(`${restarted} `));

    expect(await systemctl("stop", "demo")).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(() => process.kill(restarted, 0)).toThrow();
    expect(await systemctl("is-active", "demo")).toEqual({ code: 3, stdout: "inactive\n", stderr: "" });
    expect(await mainPid("demo")).toBe(0);

    const journal = (await runProgram(sim, "journalctl", ["-o", "json", "-u", "demo"])).stdout
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { MESSAGE: string }).MESSAGE);
    expect(journal.filter((m) => m.startsWith("demo "))).toEqual(["demo started", "demo stopping", "demo started", "demo stopping"]);
    expect(journal).toContain("Started Demo service.");
    expect(journal).toContain("Stopped Demo service.");

    expect(await systemctl("disable", "demo")).toEqual({ code: 0, stdout: "", stderr: "Removed /etc/systemd/system/multi-user.target.wants/demo.service.\n" });
    expect(await systemctl("disable", "demo")).toEqual({ code: 0, stdout: "", stderr: "" });
    expect((await systemctl("is-enabled", "demo")).stdout).toBe("disabled\n");
  });

  it("runs a program named by its host path and maps absolute arguments that exist under the root", async () => {
    await install("demo.service", unitFile(`${path.join(sim.binDir, "node")} /opt/demo/demo.mjs /var/lib/demo`));
    await systemctl("start", "demo");
    await until("the service to be up", ready, (text) => text !== "");
    expect((await systemctl("list-units", "--no-legend", "--plain")).stdout).toMatch(/^demo\.service +loaded active running Demo service$/m);
  });

  it("shows a unit whose process exited non-zero as failed, and one that cannot run as failed too", async () => {
    await install("crash.service", unitFile('/usr/bin/node -e "process.exit(3)"'));
    expect(await systemctl("start", "crash")).toMatchObject({ code: 0 });
    await until("the crash", () => systemctl("is-active", "crash"), (r) => r.stdout === "failed\n");
    expect((await systemctl("show", "-p", "ActiveState,SubState,Result", "crash")).stdout).toBe("ActiveState=failed\nSubState=failed\nResult=exit-code\n");

    await install("missing.service", unitFile("/opt/nothing/here --flag"));
    expect(await systemctl("start", "missing")).toMatchObject({ code: 0 });
    await until("the failure", () => systemctl("is-active", "missing"), (r) => r.stdout === "failed\n");
    expect(await readFile(path.join(sim.root, "var/log/units/missing.service.log"), "utf8")).toBe("Failed at step EXEC spawning /opt/nothing/here: No such file or directory\n");
  });

  it("keeps systemctl's errors for a unit with neither a file nor a place in the board's table", async () => {
    expect(await systemctl("start", "nosuch")).toEqual({ code: 5, stdout: "", stderr: "Failed to start nosuch.service: Unit nosuch.service not found.\n" });
    expect(await systemctl("enable", "nosuch")).toEqual({ code: 1, stdout: "", stderr: "Failed to enable unit: Unit file nosuch.service does not exist.\n" });
    expect(await systemctl("is-enabled", "nosuch")).toEqual({ code: 1, stdout: "", stderr: "Failed to get unit file state for nosuch.service: No such file or directory\n" });
    expect(await systemctl("is-active", "nosuch")).toEqual({ code: 3, stdout: "inactive\n", stderr: "" });
    await install("nostart.service", "[Unit]\nDescription=Nothing to run\n");
    expect(await systemctl("start", "nostart")).toEqual({ code: 1, stdout: "", stderr: "Failed to start nostart.service: Unit nostart.service has a bad unit file setting.\n" });
  });
});
