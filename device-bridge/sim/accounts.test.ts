import { chmod } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readSim, runProgram, tempJetson } from "./testing.js";

type Sim = Awaited<ReturnType<typeof tempJetson>>;
const asRoot = process.getuid?.() === 0;
/** A user the simulated board does not know. */
const STRANGER = { uid: 4242, gid: 4242 };

let sim: Sim;
beforeEach(async () => {
  sim = await tempJetson("orin-nano-super-jp6");
});
afterEach(() => sim.remove());

const run = (name: string, args: string[], as?: { uid: number; gid: number }) => runProgram(sim, name, args, "", as);
const line = (file: string, name: string) => readSim(sim, file).then((text) => text.split("\n").find((l) => l.startsWith(`${name}:`)));

describe("the board's /etc/passwd and /etc/group", () => {
  it("has Ubuntu's accounts and the default user nvidia in video and gpio", async () => {
    expect(await line("/etc/passwd", "root")).toBe("root:x:0:0:root:/root:/bin/bash");
    expect(await line("/etc/passwd", "daemon")).toBe("daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin");
    expect(await line("/etc/passwd", "nobody")).toBe("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin");
    expect(await line("/etc/passwd", "nvidia")).toBe("nvidia:x:1000:1000:nvidia,,,:/home/nvidia:/bin/bash");
    expect(await line("/etc/group", "root")).toBe("root:x:0:");
    expect(await line("/etc/group", "video")).toBe("video:x:44:gdm,nvidia");
    expect(await line("/etc/group", "nvidia")).toBe("nvidia:x:1000:");
    const gpio = (await line("/etc/group", "gpio"))?.split(":");
    expect(Number(gpio?.[2])).toBeLessThan(1000);
    expect(gpio?.[3]?.split(",")).toContain("nvidia");
  });
});

describe("the id stand-in", () => {
  it("prints a user of the board as coreutils does", async () => {
    expect(await run("id", ["nvidia"])).toEqual({
      code: 0,
      stdout: "uid=1000(nvidia) gid=1000(nvidia) groups=1000(nvidia),4(adm),24(cdrom),27(sudo),29(audio),30(dip),44(video),46(plugdev),108(render),109(i2c),116(lpadmin),999(gpio)\n",
      stderr: "",
    });
    expect((await run("id", ["-u", "nvidia"])).stdout).toBe("1000\n");
    expect((await run("id", ["-gn", "nvidia"])).stdout).toBe("nvidia\n");
    expect((await run("id", ["--groups", "--name", "nvidia"])).stdout).toBe("nvidia adm cdrom sudo audio dip video plugdev render i2c lpadmin gpio\n");
    expect(await run("id", ["-u", "nosuchuser"])).toEqual({ code: 1, stdout: "", stderr: "id: ‘nosuchuser’: no such user\n" });
  });

  it("prints the calling process's ids, named from the board's files", async () => {
    const uid = process.getuid?.() ?? -1;
    expect(await run("id", ["-u"])).toMatchObject({ code: 0, stdout: `${uid}\n` });
    expect(await run("id", ["-g"])).toMatchObject({ code: 0, stdout: `${process.getgid?.()}\n` });
    const name = (await readSim(sim, "/etc/passwd"))
      .split("\n")
      .map((l) => l.split(":"))
      .find((fields) => fields[2] === String(uid))?.[0];
    expect(await run("id", ["-un"])).toMatchObject(name === undefined ? { code: 1, stdout: `${uid}\n` } : { code: 0, stdout: `${name}\n` });
  });

  it.skipIf(!asRoot)("prints an unnamed id as its number, and -un fails with the real message", async () => {
    await chmod(sim.root, 0o755);
    expect(await run("id", [], STRANGER)).toEqual({ code: 0, stdout: "uid=4242 gid=4242 groups=4242\n", stderr: "" });
    expect(await run("id", ["-un"], STRANGER)).toEqual({ code: 1, stdout: "4242\n", stderr: "id: cannot find name for user ID 4242\n" });
    expect(await run("id", ["-un"], { uid: 65534, gid: 65534 })).toMatchObject({ code: 0, stdout: "nobody\n" });
  });

  it("refuses options that conflict, as coreutils does", async () => {
    expect(await run("id", ["-u", "-g"])).toMatchObject({ code: 1, stderr: 'id: cannot print "only" of more than one choice\n' });
    expect(await run("id", ["-x"])).toEqual({ code: 1, stdout: "", stderr: "id: invalid option -- 'x'\nTry 'id --help' for more information.\n" });
  });
});

describe("the getent stand-in", () => {
  it("prints an entry by name or number, and exits 2 for one it does not have", async () => {
    expect(await run("getent", ["passwd", "nvidia"])).toEqual({ code: 0, stdout: "nvidia:x:1000:1000:nvidia,,,:/home/nvidia:/bin/bash\n", stderr: "" });
    expect(await run("getent", ["group", "44"])).toMatchObject({ code: 0, stdout: "video:x:44:gdm,nvidia\n" });
    expect(await run("getent", ["group", "nosuchgroup"])).toEqual({ code: 2, stdout: "", stderr: "" });
    expect(await run("getent", ["hosts", "x"])).toMatchObject({ code: 1, stderr: "Unknown database: hosts\n" });
  });
});

describe("the groupadd and useradd stand-ins", () => {
  it("adds a system group with the highest free gid below 1000, once", async () => {
    expect(await run("groupadd", ["--system", "jetson-test"])).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await line("/etc/group", "jetson-test")).toBe("jetson-test:x:998:");
    expect(await run("groupadd", ["-r", "jetson-test"])).toEqual({ code: 9, stdout: "", stderr: "groupadd: group 'jetson-test' already exists\n" });
    await run("groupadd", ["people"]);
    expect(await line("/etc/group", "people")).toBe("people:x:1001:");
  });

  it("creates the bridge's service account as the provisioner asks for it", async () => {
    const args = ["--system", "--user-group", "--no-create-home", "--home-dir", "/var/lib/jetson-bridge", "--shell", "/usr/sbin/nologin", "--groups", "video,gpio", "jetson-bridge"];
    expect(await run("useradd", args)).toEqual({ code: 0, stdout: "", stderr: "" });
    // Debian counts system ids down from 999; gid 999 is gpio's, so the user's own group gets 998.
    expect(await line("/etc/passwd", "jetson-bridge")).toBe("jetson-bridge:x:999:998::/var/lib/jetson-bridge:/usr/sbin/nologin");
    expect(await line("/etc/group", "jetson-bridge")).toBe("jetson-bridge:x:998:");
    expect(await line("/etc/group", "video")).toBe("video:x:44:gdm,nvidia,jetson-bridge");
    expect((await run("id", ["jetson-bridge"])).stdout).toBe("uid=999(jetson-bridge) gid=998(jetson-bridge) groups=998(jetson-bridge),44(video),999(gpio)\n");
    expect(await run("useradd", args)).toEqual({ code: 9, stdout: "", stderr: "useradd: user 'jetson-bridge' already exists\n" });
  });

  it("gives an ordinary user the next id from 1000 and /bin/sh, and changes nothing on an error", async () => {
    await run("useradd", ["alice"]);
    expect(await line("/etc/passwd", "alice")).toBe("alice:x:1001:1001::/home/alice:/bin/sh");
    const before = [await readSim(sim, "/etc/passwd"), await readSim(sim, "/etc/group")];
    expect(await run("useradd", ["-G", "video,nosuchgroup", "bob"])).toEqual({ code: 6, stdout: "", stderr: "useradd: group 'nosuchgroup' does not exist\n" });
    expect(await run("useradd", ["--colour", "bob"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^useradd: unrecognized option '--colour'\nUsage: useradd \[options\] LOGIN\n/) });
    expect([await readSim(sim, "/etc/passwd"), await readSim(sim, "/etc/group")]).toEqual(before);
  });

  it.skipIf(!asRoot)("refuses a login that cannot write /etc, as shadow-utils does", async () => {
    await chmod(sim.root, 0o755);
    expect(await run("useradd", ["bob"], STRANGER)).toEqual({
      code: 1,
      stdout: "",
      stderr: "useradd: Permission denied.\nuseradd: cannot lock /etc/passwd; try again later.\n",
    });
    expect(await run("groupadd", ["bob"], STRANGER)).toMatchObject({ code: 10 });
    expect(await line("/etc/passwd", "bob")).toBeUndefined();
  });
});
