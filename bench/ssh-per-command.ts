import { Client } from "ssh2";
import type { LocalSshd } from "../scripts/sshd.js";
import { latencies, timeSequential } from "./stats.js";

/** The original JetsonMCP's way: a new SSH connection and one command per call. */
export async function benchSshPerCommand(sshd: LocalSshd, calls: number, command = "echo pong") {
  const times = await timeSequential(calls, 5, () => sshOnce(sshd, command));
  return latencies(times);
}

function sshOnce(sshd: LocalSshd, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .on("ready", () => {
        client.exec(command, (error, stream) => {
          if (error) return reject(error);
          let out = "";
          stream.on("data", (chunk: Buffer) => (out += chunk.toString())).on("close", () => {
            client.end();
            resolve(out);
          });
        });
      })
      .on("error", reject)
      .connect({ host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey });
  });
}
