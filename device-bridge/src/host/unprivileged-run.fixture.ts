// Runs one program through NodeHost and `sudo -n` as an unprivileged user, as the bridge runs on a Jetson,
// and prints the run's result as JSON. Arguments: uid gid programDir program timeoutMs, then the program's own.
import { NodeHost } from "./node-host.js";

const [uid = "", gid = "", programDir = "", program = "", timeoutMs = "", ...args] = process.argv.slice(2);
const host = new NodeHost({
  root: "/",
  programDirs: [programDir],
  defaultTimeoutMs: Number(timeoutMs),
  defaultMaxOutputBytes: 1 << 16,
  sudo: { path: "/usr/bin/sudo", programs: [program] },
});
// Modules are loaded; only now give up root, so the run itself is the unprivileged part.
if (!process.setgroups || !process.setgid || !process.setuid) throw new Error("needs a POSIX system to change user");
process.setgroups([]);
process.setgid(Number(gid));
process.setuid(Number(uid));
process.stdout.write(JSON.stringify(await host.run(program, args)));
