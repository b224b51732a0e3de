import { execFile } from "node:child_process";
import { chmod, chown, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enroll } from "./enroll.js";

const ENROLL = fileURLToPath(new URL("./enroll.ts", import.meta.url));
const OLD = { url: "https://fleet.example.com", fleet: "fleet-1", deviceId: "camera-7", token: "old-token", sudo: { programs: ["nvpmodel"] } };
const OLD_TEXT = `${JSON.stringify(OLD, null, 2)}\n`;

describe("enrollment", () => {
  let server: Server;
  let url = "";
  beforeAll(async () => {
    // The Worker's POST /enroll, on a loopback address (which may be http:).
    server = createServer((request, response) => {
      request.resume().on("end", () => response.end(JSON.stringify({ fleet: "fleet-1", deviceId: "camera-7", token: "new-token" })));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());
  const newText = () => `${JSON.stringify({ ...OLD, url, token: "new-token" }, null, 2)}\n`;

  it("refuses to send the code in clear text to anything but a loopback address, writing nothing", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "enroll-"));
    await expect(enroll("http://fleet.example.com", "ABCD-EFGH", path.join(dir, "config.json"))).rejects.toThrow(
      /Refusing to enroll through http:\/\/fleet\.example\.com: url must be https: or wss:/,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it("replaces a configuration whole: mode 0600, its owner and its other fields kept, nothing left beside it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "enroll-"));
    const file = path.join(dir, "config.json");
    await writeFile(file, OLD_TEXT, { mode: 0o644 });
    // The service's user, who reads it (infra/README.md: chown jetson-bridge after the first enrollment).
    await chown(file, 1234, 1235);
    expect(await enroll(url, "ABCD-EFGH", file)).toEqual({ fleet: "fleet-1", deviceId: "camera-7" });
    expect(await readFile(file, "utf8")).toBe(newText());
    expect(await stat(file)).toMatchObject({ mode: 0o100600, uid: 1234, gid: 1235 });
    expect(await readdir(dir)).toEqual(["config.json"]);
  });

  it("makes folders through which the service's user reads the configuration once it owns it (0600), as the manual install does, and no one else does", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "enroll-"));
    await chmod(dir, 0o755);
    // Two folders to make: each must let the service's user through.
    const file = path.join(dir, "opt", "jetson-bridge", "config.json");
    // As root, with a umask that would leave a new folder closed to others.
    const script = `process.umask(0o077); const { enroll } = await import(${JSON.stringify(ENROLL)}); await enroll(process.argv[1], "ABCD-EFGH", process.argv[2]);`;
    await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, url, file], { cwd: path.dirname(ENROLL) });
    expect((await stat(path.dirname(file))).mode).toBe(0o40755);
    expect((await stat(path.dirname(path.dirname(file)))).mode).toBe(0o40755);
    expect((await stat(file)).mode).toBe(0o100600);

    // infra/README.md step 3: chown the file to the service's user (here nobody, 65534).
    await chown(file, 65534, 65534);
    const readAs = (uid: number) =>
      promisify(execFile)(process.execPath, ["-e", `process.stdout.write(require("node:fs").readFileSync(${JSON.stringify(file)}, "utf8"))`], { uid, gid: uid }).then(
        ({ stdout }) => stdout,
        (error: { stderr: string }) => error.stderr,
      );
    expect(JSON.parse(await readAs(65534))).toEqual({ url, fleet: "fleet-1", deviceId: "camera-7", token: "new-token" });
    expect(await readAs(65533)).toMatch(/EACCES: permission denied, open/);
  });

  it("leaves the old configuration or the new one whole, never part of one, through a crash at any step of writing it", { timeout: 120_000 }, async () => {
    const crashes: string[] = [];
    // Each at its first call: strace counts calls per thread, and Node's file system calls move between threads.
    for (const syscall of ["openat", "fchown", "write", "fsync", "rename"]) {
      const dir = await mkdtemp(path.join(tmpdir(), "enroll-"));
      const file = path.join(dir, "config.json");
      await writeFile(file, OLD_TEXT, { mode: 0o600 });
      const script = `import { enroll } from ${JSON.stringify(ENROLL)}; await enroll(process.argv[1], "ABCD-EFGH", process.argv[2]);`;
      const inject = `inject=${syscall}:signal=SIGKILL:when=1`;
      const args = ["-f", "-qq", "-o", "/dev/null", "-P", file, "-P", `${file}.tmp`, "-e", inject, process.execPath, "--import", "tsx", "--input-type=module", "-e", script, url, file];
      const killed = await promisify(execFile)("strace", args, { cwd: path.dirname(ENROLL) }).then(
        () => false,
        (error: { signal?: string; code?: number }) => error.signal === "SIGKILL" || error.code === 137,
      );
      if (killed) crashes.push(syscall);
      expect([OLD_TEXT, newText()], `after a crash at ${syscall}`).toContain(await readFile(file, "utf8"));
    }
    // The crashes really happened: while reading the old file, while writing the new one, and at the step that replaces it.
    expect(crashes).toEqual(["openat", "fchown", "write", "fsync", "rename"]);
  });
});
