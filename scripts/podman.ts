import { execFile } from "node:child_process";
import { copyFile, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import { ManagedProcess } from "./processes.js";

const run = promisify(execFile);

export interface LocalPodman {
  /** The Docker-compatible Engine API socket. */
  socketPath: string;
  /** A locally imported image (busybox-static), as no registry is reachable. */
  image: string;
  /** Removes every container, stops the service by its own process id, deletes its files. Safe to call twice. */
  stop(): Promise<void>;
}

// crun fails here (setrlimit, hybrid cgroups): runc with cgroupfs and no default ulimits works.
const CONTAINERS_CONF = `[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "none"
`;
const IMAGE = "localhost/busybox:test";
const APPLETS = ["sh", "sleep", "echo", "cat", "ls"];

/**
 * podman's Docker-compatible API service on a unix socket under `dir` (`dir`/run must be at most 50
 * characters: podman refuses a longer runroot), with its own storage
 * (vfs, so it needs no overlay support) and a busybox image imported from busybox-static.
 */
export async function startPodman(dir: string): Promise<LocalPodman> {
  await mkdir(dir, { recursive: true });
  const conf = path.join(dir, "containers.conf");
  await writeFile(conf, CONTAINERS_CONF);
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const global = ["--root", path.join(dir, "storage"), "--runroot", path.join(dir, "run"), "--tmpdir", path.join(dir, "tmp"), "--storage-driver", "vfs"];
  const podman = (args: string[]) => run("podman", [...global, ...args], { env, maxBuffer: 16 << 20 });

  const rootfs = path.join(dir, "image");
  await mkdir(path.join(rootfs, "bin"), { recursive: true });
  await copyFile(await busybox(), path.join(rootfs, "bin/busybox"));
  for (const applet of APPLETS) await symlink("busybox", path.join(rootfs, "bin", applet));
  const tarball = path.join(dir, "image.tar");
  await run("tar", ["-C", rootfs, "-cf", tarball, "."]);
  await podman(["import", tarball, IMAGE]);

  const socketPath = path.join(dir, "podman.sock");
  const service = ManagedProcess.start("podman system service", "podman", [...global, "system", "service", "--time=0", `unix://${socketPath}`], { env });
  await waitForPing(socketPath, service);
  let stopped: Promise<void> | undefined;
  return {
    socketPath,
    image: IMAGE,
    stop: () => {
      stopped ??= (async () => {
        // Containers outlive the service (conmon runs apart from it), so remove them first.
        await podman(["rm", "--all", "--force", "--time", "0"]).catch(() => undefined);
        await service.stop();
        // A removed container's exit cleanup (a podman process conmon starts) can still write under the
        // folder while it is deleted (ENOTEMPTY): rm retries.
        await rm(dir, { recursive: true, force: true, maxRetries: 5 });
      })();
      return stopped;
    },
  };
}

async function busybox(): Promise<string> {
  for (const candidate of ["/bin/busybox", "/usr/bin/busybox"]) {
    if (await run(candidate, ["true"]).then(() => true, () => false)) return candidate;
  }
  throw new Error("busybox is not installed: apt-get install busybox-static");
}

async function waitForPing(socketPath: string, service: ManagedProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`podman system service exited (${service.child.exitCode}):\n${service.output}`);
    if (await ping(socketPath)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`podman's API did not answer at ${socketPath} within 30 s:\n${service.output}`);
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: "/_ping", method: "GET" }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.end();
  });
}
