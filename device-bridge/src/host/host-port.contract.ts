import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_LINE_BYTES } from "./output.js";
import type { HostPort } from "./port.js";

/**
 * What every HostPort must do, run against each implementation (as Hono runs
 * one router suite against every router). `makePort` gets a prepared machine
 * root and a folder of test programs.
 */
export function runHostPortContract(name: string, makePort: (root: string, programDir: string) => Promise<HostPort>) {
  describe(`HostPort contract: ${name}`, () => {
    let base: string;
    let root: string;
    let port: HostPort;

    beforeAll(async () => {
      base = await mkdtemp(path.join(tmpdir(), "hostport-"));
      root = path.join(base, "root");
      const programs = path.join(base, "programs");
      await mkdir(path.join(root, "etc"), { recursive: true });
      await mkdir(programs, { recursive: true });
      await writeFile(path.join(root, "etc/hostname"), "board-1\n");
      await writeFile(path.join(base, "secret"), "outside the root\n");
      await symlink(path.join(base, "secret"), path.join(root, "etc/escape"));
      await mkdir(path.join(root, "sys/class/thermal/thermal_zone0"), { recursive: true });
      await mkdir(path.join(root, "proc"), { recursive: true });
      await writeFile(path.join(root, "sys/class/thermal/thermal_zone0/temp"), "45500\n");
      await writeFile(path.join(root, "proc/uptime"), "350735.47 234388.90\n");
      await symlink(path.join(base, "secret"), path.join(root, "sys/class/thermal/escape"));
      await writeProgram(programs, "print-args", `for a in "$@"; do printf '%s\\n' "$a"; done`);
      await writeProgram(programs, "read-stdin", `read line; echo "got:$line"`);
      await writeProgram(programs, "flood", `i=0; while [ $i -lt 100000 ]; do echo 0123456789; i=$((i+1)); done`);
      await writeProgram(programs, "hang", `sleep 30`);
      await writeProgram(programs, "ticker", `i=1; while true; do echo "tick $i"; i=$((i+1)); sleep 0.05; done`);
      await writeProgram(programs, "fail", `echo oops >&2; exit 3`);
      await writeProgram(programs, "tidy", `trap 'echo cleaning up; exit 0' TERM; echo started; while :; do sleep 0.05; done`);
      await writeProgram(programs, "stubborn", `trap '' TERM; echo $$; while :; do sleep 0.05; done`);
      // "€ café" with both characters cut between writes (bytes e2 82 | ac, c3 | a9).
      await writeProgram(programs, "split-utf8", `printf '\\342\\202'; sleep 0.2; printf '\\254 caf\\303'; sleep 0.2; printf '\\251\\nnext\\n'`);
      await writeProgram(programs, "endless-line", `head -c 5000000 /dev/zero | tr '\\0' x; echo; echo after`);
      port = await makePort(root, programs);
    });
    afterAll(async () => rm(base, { recursive: true, force: true }));

    it("passes arguments through without a shell", async () => {
      const args = ["; rm -rf /", "$(reboot)", "a b", "`id`", "*"];
      const result = await port.run("print-args", args);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe(args.map((a) => `${a}\n`).join(""));
    });

    it("closes standard input so a prompt never blocks", async () => {
      expect((await port.run("read-stdin", [])).stdout).toBe("got:\n");
      expect((await port.run("read-stdin", [], { stdin: "YES\n" })).stdout).toBe("got:YES\n");
    });

    it("reports exit code and standard error", async () => {
      const result = await port.run("fail", []);
      expect(result.exitCode).toBe(3);
      expect(result.stderr).toBe("oops\n");
    });

    it("caps output", async () => {
      const result = await port.run("flood", [], { maxOutputBytes: 1000 });
      expect(result.truncated).toBe(true);
      expect(result.stdout.length).toBe(1000);
    });

    it("kills a program that runs past its timeout", async () => {
      const result = await port.run("hang", [], { timeoutMs: 300 });
      expect(result.timedOut).toBe(true);
      expect(result.exitCode).not.toBe(0);
    });

    it("stops a program with SIGTERM first, so it can clean up", async () => {
      const result = await port.run("tidy", [], { timeoutMs: 500 });
      expect(result.timedOut).toBe(true);
      expect(result.stdout).toBe("started\ncleaning up\n");
    });

    it("kills a program that ignores SIGTERM once the grace has passed", async () => {
      const result = await port.run("stubborn", [], { timeoutMs: 300 });
      expect(result.timedOut).toBe(true);
      expect(await isRunning(Number(result.stdout.trim()))).toBe(false);
    });

    it("streams output lines and stops a program when aborted", async () => {
      const lines: string[] = [];
      const controller = new AbortController();
      const result = await port.run("ticker", [], {
        signal: controller.signal,
        onStdoutLine: (line) => {
          lines.push(line);
          if (lines.length === 3) controller.abort();
        },
      });
      expect(result.aborted).toBe(true);
      expect(result.timedOut).toBe(false);
      expect(lines.slice(0, 3)).toEqual(["tick 1", "tick 2", "tick 3"]);
    });

    it("decodes a character split between two chunks of output", async () => {
      const lines: string[] = [];
      const result = await port.run("split-utf8", [], { onStdoutLine: (line) => lines.push(line) });
      expect(lines).toEqual(["€ café", "next"]);
      expect(result.stdout).toBe("€ café\nnext\n");
    });

    it("bounds a line that never ends, keeping its head and the lines after it", async () => {
      const lines: string[] = [];
      await port.run("endless-line", [], { maxOutputBytes: 1000, onStdoutLine: (line) => lines.push(line) });
      expect(lines).toEqual([`${"x".repeat(MAX_LINE_BYTES)}`, "after"]);
    });

    it("refuses program names that are paths or shell text", async () => {
      for (const program of ["/bin/sh", "../programs/fail", "fail; reboot", "", "sh -c"]) {
        await expect(port.run(program, [])).rejects.toThrow(/Not a program name/);
      }
      await expect(port.run("no-such-program", [])).rejects.toThrow(/not installed/);
    });

    it("reads and writes files under the root by their machine path", async () => {
      expect(await port.readFile("/etc/hostname")).toBe("board-1\n");
      expect(await port.readFile("/etc/missing")).toBeUndefined();
      await port.writeFile("/etc/written", "hello");
      expect(await readFile(path.join(root, "etc/written"), "utf8")).toBe("hello");
      expect(await port.listDir("/etc")).toEqual(expect.arrayContaining(["hostname", "written"]));
      expect(await port.listDir("/nope")).toEqual([]);
    });

    it("reads kernel files (sysfs, procfs) under the root, and refuses a link out of it there too", async () => {
      expect(await port.readFile("/sys/class/thermal/thermal_zone0/temp")).toBe("45500\n");
      expect(await port.readFile("/proc/uptime")).toBe("350735.47 234388.90\n");
      expect(await port.readFile("/sys/class/thermal/thermal_zone9/temp")).toBeUndefined();
      await expect(port.readFile("/sys/class/thermal/escape")).rejects.toThrow(/leaves the allowed root/);
      await expect(port.readFile("/proc/../../secret")).rejects.toThrow(/\.\./);
    });

    it("refuses paths that leave the root", async () => {
      await expect(port.readFile("/etc/../../secret")).rejects.toThrow(/\.\./);
      await expect(port.readFile("etc/hostname")).rejects.toThrow(/absolute/);
      await expect(port.readFile("/etc/escape")).rejects.toThrow(/leaves the allowed root/);
      await expect(port.writeFile("/etc/escape", "x")).rejects.toThrow(/leaves the allowed root/);
      expect(await readFile(path.join(base, "secret"), "utf8")).toBe("outside the root\n");
    });

    it("reports disk space", async () => {
      const space = await port.statFs("/");
      expect(space?.totalBytes).toBeGreaterThan(0);
      expect(space?.availableBytes).toBeLessThanOrEqual(space?.totalBytes ?? 0);
    });
  });
}

/** Whether a process exists and has not exited (an exited child no one reaped yet is a zombie: it runs no more). */
export async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  // The state follows the command name, which is in parentheses and may itself contain them.
  return stat !== undefined && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

async function writeProgram(dir: string, name: string, body: string): Promise<void> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
}
