import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SshConnection } from "../device-bridge/src/host/ssh-connection.js";
import { SshHost } from "../device-bridge/src/host/ssh-host.js";
import { createSimulatedJetson } from "../device-bridge/sim/index.js";
import { LocalBridge, type LocalWorker } from "../scripts/local-stack.js";
import type { LocalSshd } from "../scripts/sshd.js";
import { benchSshPerCommand } from "./ssh-per-command.js";
import { latencies, round, timeSequential } from "./stats.js";

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The same command on a Jetson reached over SSH (`nvpmodel -q`), three ways: through MCP and a
 * gateway bridge's kept-open connection, straight over a kept-open connection, and the original's
 * way, a new SSH connection per command.
 */
export async function benchGateway(worker: LocalWorker, sshd: LocalSshd, mcp: Client, dir: string, calls: number) {
  const nano = await createSimulatedJetson({ dir: path.join(dir, "gateway-nano"), board: "nano-jp46", hostname: "bench-gw-nano" });
  const keyFile = path.join(dir, "gateway-key");
  await writeFile(keyFile, sshd.privateKey, { mode: 0o600 });
  const ssh = { host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: keyFile, hostKeySha256: sshd.hostKeySha256 };
  const target = await worker.provision("bench-gw-nano");
  const gateway = await LocalBridge.create({
    worker,
    device: await worker.provision("bench-gateway"),
    board: "agx-orin-jp6",
    dir: path.join(dir, "bench-gateway"),
    extraConfig: { gateway: [{ deviceId: target.id, token: target.token, ssh, root: nano.root, programDirs: [nano.binDir] }] },
  });
  const process = gateway.launch();
  await process.waitForLine(/connected to .*\/bench-gw-nano/);
  const connection = new SshConnection({ ...ssh, privateKey: sshd.privateKey, hostKeysSha256: [sshd.hostKeySha256] }, quiet);
  const host = new SshHost({ connection, root: nano.root, programDirs: [nano.binDir], defaultTimeoutMs: 10_000, defaultMaxOutputBytes: 1 << 20 });
  try {
    const viaMcp = latencies(
      await timeSequential(calls, 10, async () => {
        const result = await mcp.callTool({ name: "power_get", arguments: { device: "bench-gw-nano" } });
        if (result.isError) throw new Error(`power_get failed: ${JSON.stringify(result.content)}`);
      }),
    );
    const keptOpen = latencies(await timeSequential(calls, 10, () => host.run("nvpmodel", ["-q"])));
    const perCommand = await benchSshPerCommand(sshd, calls, `${path.join(nano.binDir, "nvpmodel")} -q`);
    return {
      "power.get via MCP → Worker → Durable Object → gateway bridge → kept-open SSH": viaMcp,
      "nvpmodel -q over one kept-open SSH connection": keptOpen,
      "nvpmodel -q with a new SSH connection per command (the original's way)": perCommand,
      "new connection p50 / kept-open p50": round(perCommand.p50Ms / keptOpen.p50Ms),
    };
  } finally {
    connection.close();
    await gateway.stop();
  }
}
