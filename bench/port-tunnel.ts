import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { OpenedPort } from "@jetson/protocol";
import { LocalBridge, type LocalWorker } from "../scripts/local-stack.js";
import { latencies, round, timeSequential } from "./stats.js";

const MB = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x5a);

/** Reads a whole response, counting its bytes (kept by nobody). */
async function drain(response: Response): Promise<number> {
  let bytes = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += (value as Uint8Array).length;
  }
}

/** MB/s of one download of `megabytes` from `url`. */
async function throughput(url: string, megabytes: number): Promise<number> {
  const start = performance.now();
  const bytes = await drain(await fetch(url));
  if (bytes !== megabytes * MB) throw new Error(`downloaded ${bytes} bytes of ${megabytes * MB}`);
  return round(megabytes / ((performance.now() - start) / 1000));
}

/**
 * The port tunnel against a direct connection to the same server on this machine: p50 of a small
 * request (added latency) and the throughput of a download, client → Worker → device object →
 * MQTT link → bridge → 127.0.0.1:port and back.
 */
export async function benchPortTunnel(worker: LocalWorker, dir: string, calls: number, megabytes: number) {
  const server = createServer((req, res) => {
    if (req.url === "/small") return res.end("ok");
    res.writeHead(200, { "content-length": String(megabytes * MB) });
    let sent = 0;
    const write = () => {
      while (sent < megabytes * MB) {
        sent += CHUNK.length;
        if (!res.write(CHUNK)) return void res.once("drain", write);
      }
      res.end();
    };
    write();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const bridge = await LocalBridge.create({
    worker,
    device: await worker.provision("bench-tunnel"),
    board: "agx-orin-jp6",
    dir: path.join(dir, "bench-tunnel"),
    extraConfig: { tunnelPorts: [port] },
  });
  await bridge.start();
  try {
    const { url } = await worker.api<OpenedPort>("/api/devices/bench-tunnel/ports", { method: "POST", body: JSON.stringify({ port }) });
    const direct = `http://127.0.0.1:${port}/`;
    const small = (base: string) => async () => {
      const response = await fetch(`${base}small`);
      if ((await response.text()) !== "ok") throw new Error(`small request through ${base} failed: ${response.status}`);
    };
    const tunnelled = latencies(await timeSequential(calls, 10, small(url)));
    const straight = latencies(await timeSequential(calls, 10, small(direct)));
    const tunnelMBps = await throughput(`${url}download`, megabytes);
    const directMBps = await throughput(`${direct}download`, megabytes);
    return {
      "small request through the tunnel": tunnelled,
      "small request straight to 127.0.0.1:port": straight,
      "added latency, p50 (ms)": round(tunnelled.p50Ms - straight.p50Ms),
      [`${megabytes} MB download through the tunnel (MB/s)`]: tunnelMBps,
      [`${megabytes} MB download straight (MB/s)`]: directMBps,
    };
  } finally {
    await bridge.dispose();
    await new Promise((resolve) => server.close(resolve));
  }
}
