// The generated sudoers file against the ways a compromised bridge could become root, asked of the
// real sudo (Debian's, with a throw-away user and the file in /etc/sudoers.d) and of the simulated
// board's stand-in: `sudo -l -U USER COMMAND...` must refuse every vector and allow every command line
// the actions really run, and both must answer alike.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { access, chmod, constants, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProgram, tempJetson } from "../../sim/testing.js";
import { CLOCKS_LOCK, CLOCKS_RESTORE, CLOCKS_SHOW, CLOCKS_STORE, SAVED_CLOCKS_FILE } from "../machine/jetson-clocks-commands.js";
import { NVFANCONTROL_STATUS, NVFANCONTROL_UNIT, REMOVE_NVFANCONTROL_STATUS } from "../machine/nvfancontrol-commands.js";
import { NVPMODEL_QUERY, NVPMODEL_TABLE, nvpmodelSetArgs } from "../machine/nvpmodel-commands.js";
import { POWEROFF_COMMAND, REBOOT_COMMAND, UNIT_VERBS, unitCommand } from "../machine/systemctl-commands.js";
import { parseNvpmodelConf } from "../parsers/nvpmodel.js";

const BRIDGE = fileURLToPath(new URL("../../bin/jetson-bridge.js", import.meta.url));
const USER = `jbsudo${randomBytes(4).toString("hex")}`;
const UNIT = "nginx.service";

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: readonly string[], stdin?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
    // A program may exit before it reads its input (sudo refusing at once): the pipe then breaks, which says nothing.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(stdin ?? "");
  });
}

let sim: Awaited<ReturnType<typeof tempJetson>>;
let sudoers = "";
let vectors: Array<{ name: string; argv: string[]; allowed: boolean }> = [];

beforeAll(async () => {
  sim = await tempJetson("agx-orin-jp6");
  const bin = (program: string) => path.join(sim.binDir, program);
  const config = path.join(sim.root, "bridge.json");
  await writeFile(
    config,
    JSON.stringify({
      url: "http://127.0.0.1:1",
      fleet: "local",
      deviceId: "escalation",
      token: "t".repeat(32),
      root: sim.root,
      programDirs: [sim.binDir],
      sudo: { programs: ["nvpmodel", "jetson_clocks", "systemctl", "apt-get", "kill", "sed", "rm"] },
      services: { allow: [UNIT] },
    }),
  );
  // The operator's way: the bridge's own command prints the file.
  const printed = await run(process.execPath, [BRIDGE, "sudoers", "--user", USER, "--config", config]);
  expect(printed.code, printed.stderr).toBe(0);
  // One hand-written rule besides, to hold both sudos to sudoers' wildcard rules: why no generated line has one.
  sudoers = `${printed.stdout}${USER} ALL=(root) NOPASSWD: ${bin("ps")} -o *\n`;

  const modes = parseNvpmodelConf(await readFile(path.join(sim.root, "etc/nvpmodel.conf"), "utf8")).modes.map((m) => m.id);
  const helper = (program: string) => [process.execPath, BRIDGE, "privileged", bin(program)];
  const allow = (name: string, argv: readonly string[]) => ({ name, argv: [...argv], allowed: true });
  const refuse = (name: string, argv: readonly string[]) => ({ name, argv: [...argv], allowed: false });
  vectors = [
    // What the actions run, from the same builders.
    allow("nvpmodel -q", [bin("nvpmodel"), ...NVPMODEL_QUERY]),
    allow("nvpmodel -p --verbose", [bin("nvpmodel"), ...NVPMODEL_TABLE]),
    ...modes.map((id) => allow(`nvpmodel -m ${id}`, [bin("nvpmodel"), ...nvpmodelSetArgs(id)])),
    allow("jetson_clocks --show", [bin("jetson_clocks"), ...CLOCKS_SHOW]),
    allow("jetson_clocks (lock)", [bin("jetson_clocks"), ...CLOCKS_LOCK]),
    allow("jetson_clocks --store into the root-only folder", [bin("jetson_clocks"), ...CLOCKS_STORE]),
    allow("jetson_clocks --restore from the root-only folder", [bin("jetson_clocks"), ...CLOCKS_RESTORE]),
    allow("systemctl reboot", [bin("systemctl"), ...REBOOT_COMMAND]),
    allow("systemctl poweroff", [bin("systemctl"), ...POWEROFF_COMMAND]),
    ...UNIT_VERBS.map((verb) => allow(`systemctl ${verb} ${UNIT}`, [bin("systemctl"), ...unitCommand(verb, UNIT)])),
    allow("the helper for apt-get", helper("apt-get")),
    allow("the helper for kill", helper("kill")),
    allow("systemctl stop nvfancontrol", [bin("systemctl"), ...unitCommand("stop", NVFANCONTROL_UNIT)]),
    allow("systemctl start nvfancontrol", [bin("systemctl"), ...unitCommand("start", NVFANCONTROL_UNIT)]),
    allow("the helper for sed (FAN_DEFAULT_PROFILE)", helper("sed")),
    allow("rm -f of nvfancontrol's status file", [bin("rm"), ...REMOVE_NVFANCONTROL_STATUS]),
    // Escalation vectors.
    refuse("jetson_clocks --restore FILE the user wrote", [bin("jetson_clocks"), "--restore", "/tmp/evil.conf"]),
    refuse("jetson_clocks --store over a file", [bin("jetson_clocks"), "--store", "/etc/sudoers.d/evil"]),
    refuse("jetson_clocks --restore of $HOME/l4t_dfs.conf", [bin("jetson_clocks"), "--restore"]),
    refuse("jetson_clocks --store with a second file", [bin("jetson_clocks"), ...CLOCKS_STORE, "/tmp/evil.conf"]),
    refuse("jetson_clocks --show --restore FILE", [bin("jetson_clocks"), "--show", "--restore", "/tmp/evil.conf"]),
    refuse("jetson_clocks --restore with the saved file's name inside another", [bin("jetson_clocks"), "--restore", `/tmp${SAVED_CLOCKS_FILE}`]),
    refuse("nvpmodel -f FILE", [bin("nvpmodel"), "-f", "/tmp/evil.conf"]),
    refuse("nvpmodel -f FILE -m 0", [bin("nvpmodel"), "-f", "/tmp/evil.conf", "-m", "0"]),
    refuse("nvpmodel -m 0 -f FILE", [bin("nvpmodel"), "-m", "0", "-f", "/tmp/evil.conf"]),
    refuse("nvpmodel -m '0 -f FILE' (one argument)", [bin("nvpmodel"), "-m", "0 -f /tmp/evil.conf"]),
    refuse("nvpmodel -m with a mode the board does not have", [bin("nvpmodel"), "-m", "99"]),
    refuse("nvpmodel -d (fan mode)", [bin("nvpmodel"), "-d", "cool"]),
    refuse("nvpmodel with no arguments", [bin("nvpmodel")]),
    refuse("apt-get -o APT::Update::Pre-Invoke::=CMD update", [bin("apt-get"), "-o", "APT::Update::Pre-Invoke::=/bin/sh", "update"]),
    refuse("apt-get install ./local.deb", [bin("apt-get"), "install", "-y", "./local.deb"]),
    refuse("apt-get update, not through the helper", [bin("apt-get"), "update"]),
    refuse("kill -9 1", [bin("kill"), "-9", "1"]),
    refuse("kill, not through the helper", [bin("kill"), "-s", "TERM", "1234"]),
    refuse("systemctl start a unit outside services.allow", [bin("systemctl"), "start", "ssh.service"]),
    refuse("systemctl edit an allowed unit", [bin("systemctl"), "edit", UNIT]),
    refuse("systemctl start an allowed unit and another", [bin("systemctl"), "start", UNIT, "ssh.service"]),
    refuse("systemctl reboot with options", [bin("systemctl"), "reboot", "--force"]),
    refuse("sed, not through the helper", [bin("sed"), "-i", "-e", "s/^root:[^:]*:/root::/", "/etc/shadow"]),
    refuse("sed -i of the nvfancontrol configuration, not through the helper", [bin("sed"), "-i", "-E", "-e", "s/quiet/cool/", "/etc/nvfancontrol.conf"]),
    refuse("rm -f of another file", [bin("rm"), "-f", "/etc/sudoers"]),
    refuse("rm -rf /", [bin("rm"), "-rf", "/"]),
    refuse("rm -f of the status file and another", [bin("rm"), ...REMOVE_NVFANCONTROL_STATUS, "/etc/sudoers"]),
    refuse("rm of the status file through a path with ..", [bin("rm"), "-f", `${NVFANCONTROL_STATUS}/../../../../etc/sudoers`]),
    refuse("systemctl disable nvfancontrol", [bin("systemctl"), "disable", NVFANCONTROL_UNIT]),
    refuse("the helper with more arguments", [...helper("apt-get"), "--", "/bin/sh"]),
    refuse("the helper for a program the file does not name", [process.execPath, BRIDGE, "privileged", "/bin/sh"]),
    refuse("the bridge with another subcommand", [process.execPath, BRIDGE, "run", "--config", "/tmp/evil.json"]),
    refuse("node with its own options", [process.execPath, "--require", "/tmp/evil.js", BRIDGE, "privileged", bin("apt-get")]),
    refuse("node -e", [process.execPath, "-e", "process.setuid(0)"]),
    refuse("a shell", ["/bin/sh", "-c", "id"]),
    // The hand-written `ps -o *`: a wildcard reaches past spaces into more options and files.
    allow("ps -o * with one argument", [bin("ps"), "-o", "pid"]),
    allow("ps -o * with more options and a file", [bin("ps"), "-o", "pid", "--forest", "-e", "/etc/shadow"]),
    refuse("ps without -o", [bin("ps"), "-e"]),
  ];
}, 60_000);

afterAll(() => sim?.remove());

/** Why the real sudo cannot be asked here, or undefined when it can. */
async function realSudoMissing(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return "the tests do not run as root";
  for (const program of ["/usr/bin/sudo", "/usr/sbin/visudo", "/usr/sbin/useradd", "/usr/sbin/userdel"]) {
    if (!(await access(program, constants.X_OK).then(() => true, () => false))) return `${program} is not installed`;
  }
  return undefined;
}
const missing = await realSudoMissing();

describe.skipIf(missing !== undefined)(`the real sudo${missing ? ` (skipped: ${missing})` : ""}`, () => {
  const dropIn = `/etc/sudoers.d/${USER}`;
  beforeAll(async () => {
    const created = await run("/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER]);
    expect(created.code, created.stderr).toBe(0);
    // Checked before it lands, as provisioning does: a file sudo cannot parse locks everyone out.
    const dir = await mkdtemp(path.join(tmpdir(), "sudoers-"));
    const candidate = path.join(dir, "candidate");
    await writeFile(candidate, sudoers);
    const checked = await run("/usr/sbin/visudo", ["-c", "-f", candidate]);
    await rm(dir, { recursive: true });
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    await writeFile(dropIn, sudoers, { mode: 0o440 });
    await chmod(dropIn, 0o440);
  });
  afterAll(async () => {
    await rm(dropIn, { force: true });
    await run("/usr/sbin/userdel", [USER]);
  });

  it("refuses every escalation vector and allows every command line the actions run", async () => {
    const answers = [];
    for (const { name, argv } of vectors) {
      const result = await run("/usr/bin/sudo", ["-l", "-U", USER, ...argv]);
      answers.push({ name, allowed: result.code === 0 });
    }
    expect(answers).toEqual(vectors.map(({ name, allowed }) => ({ name, allowed })));
  }, 60_000);
});

describe("the simulated board's sudo", () => {
  it("answers every vector as the real sudo does", async () => {
    await mkdir(path.join(sim.root, "etc/sudoers.d"), { recursive: true });
    await writeFile(path.join(sim.root, "etc/sudoers.d/jetson-bridge"), sudoers);
    const answers = [];
    for (const { name, argv } of vectors) {
      const result = await runProgram(sim, "sudo", ["-l", "-U", USER, ...argv]);
      answers.push({ name, allowed: result.code === 0 });
    }
    expect(answers).toEqual(vectors.map(({ name, allowed }) => ({ name, allowed })));
  }, 120_000);
});
