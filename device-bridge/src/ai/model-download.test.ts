import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, statfs, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { contentRange, type DeployOptions, deployModel, isLocalAddress } from "./model-download.js";
import { ModelStore } from "./model-store.js";

const MODEL = randomBytes(3 * 1024 * 1024 + 17);
const SHA = createHash("sha256").update(MODEL).digest("hex");

/** How the test server answers the next requests for /model.onnx. */
let behave: (req: IncomingMessage, res: ServerResponse) => void;
let requests: Array<{ range?: string; acceptEncoding?: string }>;
let server: Server;
let base: string;
let dir: string;

/** Serves MODEL, honouring Range, optionally cutting the connection after `cutAfter` body bytes. */
function serveModel(res: ServerResponse, range: string | undefined, cutAfter?: number): void {
  const start = range ? Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? 0) : 0;
  const body = MODEL.subarray(start);
  res.writeHead(range ? 206 : 200, {
    "Content-Length": String(body.length),
    ...(range ? { "Content-Range": `bytes ${start}-${MODEL.length - 1}/${MODEL.length}` } : {}),
  });
  if (cutAfter === undefined) return void res.end(body);
  // A clean close (FIN, not a reset), so what was sent arrives before the end.
  res.write(body.subarray(0, cutAfter), () => res.socket?.end());
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ range: req.headers.range, acceptEncoding: req.headers["accept-encoding"] });
    behave(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "models-"));
  requests = [];
  behave = (req, res) => serveModel(res, req.headers.range);
});

function deploy(store: ModelStore, sha256 = SHA, events: string[] = []) {
  return deployModel(
    store,
    { name: "net.onnx", url: `${base}/model.onnx`, sha256 },
    { signal: new AbortController().signal, retryDelayMs: 10, onProgress: (done, total) => events.push(`progress ${done}/${total}`), localSources: [base] },
  );
}

describe("deploying a model", () => {
  it("downloads, checks the sha256 and names the file only then, reporting progress before the result", async () => {
    const store = new ModelStore(dir, 0);
    const events: string[] = [];
    const result = await deploy(store, SHA, events);
    events.push("result");
    expect(result).toEqual({ name: "net.onnx", sizeBytes: MODEL.length, sha256: SHA, alreadyPresent: false, resumedFromBytes: 0 });
    expect(await readdir(dir)).toEqual(["net.onnx"]);
    expect((await readFile(path.join(dir, "net.onnx"))).equals(MODEL)).toBe(true);
    expect(events[0]).toBe(`progress 0/${MODEL.length}`);
    expect(events.at(-2)).toBe(`progress ${MODEL.length}/${MODEL.length}`);
    expect(events.at(-1)).toBe("result");
    expect(requests).toEqual([{ range: undefined, acceptEncoding: "identity" }]);
    // Listing needs no second hash: the deploy recorded it.
    expect((await store.list()).models).toEqual([expect.objectContaining({ name: "net.onnx", sizeBytes: MODEL.length, sha256: SHA })]);
    // The same model again is already there; a different one under the same name is refused.
    expect((await deploy(store)).alreadyPresent).toBe(true);
    await expect(deploy(store, "0".repeat(64))).rejects.toThrow(/different model named net.onnx is already in the store/);
    expect(requests).toHaveLength(1);
  });

  it("keeps nothing when the checksum does not match, and does not tell the download's own sha256", async () => {
    const wrong = createHash("sha256").update("something else").digest("hex");
    const failure = await deploy(new ModelStore(dir, 0), wrong).catch((error: Error) => error);
    expect(String(failure)).toMatch(
      new RegExp(`Checksum mismatch for net.onnx: the ${MODEL.length} bytes downloaded do not have the expected sha256 ${wrong}. Nothing was kept`),
    );
    // Told the real hash, a caller could deploy again with it and keep content it could not have known.
    expect(String(failure)).not.toContain(SHA);
    expect(await readdir(dir)).toEqual([]);
  });

  it("resumes an interrupted transfer with a Range request", async () => {
    const cut = 1024 * 1024 + 5;
    let first = true;
    behave = (req, res) => {
      serveModel(res, req.headers.range, first ? cut : undefined);
      first = false;
    };
    const result = await deploy(new ModelStore(dir, 0));
    // It resumes from what it wrote: at most the bytes sent before the cut (the last ones may die with the socket).
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(requests[1]?.range ?? "")?.[1]);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.range).toBeUndefined();
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(cut);
    expect(result).toMatchObject({ sizeBytes: MODEL.length, resumedFromBytes: resumedAt, alreadyPresent: false });
    expect((await readFile(path.join(dir, "net.onnx"))).equals(MODEL)).toBe(true);
    expect(await readdir(dir)).toEqual(["net.onnx"]);
  });

  it("resumes in a later deploy what an earlier one left, and starts over when the server ignores Range", async () => {
    await writeFile(path.join(dir, "net.onnx.part"), MODEL.subarray(0, 1000));
    expect((await new ModelStore(dir, 0).list()).partial).toEqual([{ name: "net.onnx", bytes: 1000 }]);
    expect((await deploy(new ModelStore(dir, 0))).resumedFromBytes).toBe(1000);

    await writeFile(path.join(dir, "other.onnx.part"), Buffer.from("stale bytes"));
    behave = (_req, res) => serveModel(res, undefined);
    const store = new ModelStore(dir, 0);
    const result = await deployModel(store, { name: "other.onnx", url: `${base}/model.onnx`, sha256: SHA }, { signal: new AbortController().signal, onProgress: () => undefined, localSources: [base] });
    expect(result.resumedFromBytes).toBe(0);
    expect((await readFile(path.join(dir, "other.onnx"))).equals(MODEL)).toBe(true);
  });

  it("refuses, before any byte arrives, a download larger than the free space", async () => {
    let closed: Promise<void> = Promise.resolve();
    behave = (_req, res) => {
      // Announce ten terabytes and never send them: only the header can have decided.
      res.writeHead(200, { "Content-Length": String(10 * 1024 ** 4) });
      res.flushHeaders();
      closed = new Promise((resolve) => res.on("close", resolve));
    };
    await expect(deploy(new ModelStore(dir, 0))).rejects.toThrow(/Not enough space for net.onnx: it needs 10485760.0 MB/);
    await closed; // the bridge hung up instead of reading
    expect(await readdir(dir)).toEqual([]);
  });

  it("keeps the configured reserve free", async () => {
    const free = await statfs(dir);
    const reserve = free.bavail * free.bsize; // all that is free must stay free
    await expect(deploy(new ModelStore(dir, reserve))).rejects.toThrow(/must stay free \(models.minFreeBytes\)/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("gives up after repeated failures, keeping what arrived for the next deploy", async () => {
    behave = (req, res) => serveModel(res, req.headers.range, 256 * 1024);
    const failure = await deploy(new ModelStore(dir, 0)).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    const kept = Number(/failed 3 times \(.*\)\. (\d+) bytes are kept: deploying again resumes from there/.exec((failure as Error).message)?.[1]);
    expect(kept).toBeGreaterThan(0);
    expect((await readFile(path.join(dir, "net.onnx.part"))).equals(MODEL.subarray(0, kept))).toBe(true);
    expect(requests).toHaveLength(3);
    expect(requests.at(-1)?.range).toMatch(/^bytes=\d+-$/);
  });

  it("says when the URL is wrong", async () => {
    behave = (_req, res) => res.writeHead(404).end();
    await expect(deploy(new ModelStore(dir, 0))).rejects.toThrow(/server answered 404 Not Found .* check the URL/);
  });

  it("refuses names that are not plain file names", () => {
    const store = new ModelStore(dir, 0);
    for (const name of ["../etc/passwd", "a/b.onnx", "..", "x..onnx", ".hidden", "net.onnx.part", ""]) {
      expect(() => store.pathOf(name), name).toThrow(/Not a model name/);
    }
    expect(store.pathOf("yolov8n-fp16.engine")).toBe(path.join(dir, "yolov8n-fp16.engine"));
  });

  it("reads Content-Range", () => {
    expect(contentRange("bytes 100-199/200")).toEqual({ start: 100, total: 200 });
    expect(contentRange("bytes 100-199/*")).toEqual({ start: 100, total: undefined });
    expect(contentRange(undefined)).toBeUndefined();
  });
});

describe("where a model may come from", () => {
  const refusal = (host: string, address: string) =>
    `ai.model_deploy does not download from ${host} (${address}): a loopback or link-local address. Serve the model from another host.`;

  function deployFrom(url: string, localSources?: DeployOptions["localSources"], name = "net.onnx") {
    return deployModel(new ModelStore(dir, 0), { name, url, sha256: SHA }, { signal: new AbortController().signal, onProgress: () => undefined, localSources });
  }

  it("refuses a server on a loopback address by default, before any request, keeping nothing", async () => {
    const { host } = new URL(base);
    await expect(deployFrom(`${base}/model.onnx`)).rejects.toThrow(refusal(host, "127.0.0.1"));
    expect(requests).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses a host name that resolves to a loopback address", async () => {
    const { port } = new URL(base);
    await expect(deployFrom(`http://localhost:${port}/model.onnx`)).rejects.toThrow(
      new RegExp(`does not download from localhost:${port} \\((127\\.0\\.0\\.1|::1)\\): a loopback or link-local address`),
    );
    expect(requests).toEqual([]);
  });

  it("refuses link-local, unspecified and disguised loopback addresses", async () => {
    const { port } = new URL(base);
    const refused: Array<[url: string, host: string, address: string]> = [
      ["http://169.254.169.254/latest/meta-data/", "169.254.169.254", "169.254.169.254"],
      ["http://[fe80::1]/model.onnx", "[fe80::1]", "fe80::1"],
      [`http://0.0.0.0:${port}/model.onnx`, `0.0.0.0:${port}`, "0.0.0.0"],
      [`http://[::]:${port}/model.onnx`, `[::]:${port}`, "::"],
      [`http://[::1]:${port}/model.onnx`, `[::1]:${port}`, "::1"],
      [`http://[::ffff:127.0.0.1]:${port}/model.onnx`, `[::ffff:7f00:1]:${port}`, "::ffff:7f00:1"],
      [`http://2130706433:${port}/model.onnx`, `127.0.0.1:${port}`, "127.0.0.1"],
    ];
    for (const [url, host, address] of refused) await expect(deployFrom(url), url).rejects.toThrow(refusal(host, address));
    expect(requests).toEqual([]);
  });

  it("tells loopback and link-local addresses from the LAN ones a model server may have", () => {
    for (const address of ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1", "169.254.169.254", "fe80::1", "febf::ff", "0.0.0.0", "::"]) {
      expect(isLocalAddress(address), address).toBe(true);
    }
    for (const address of ["10.0.0.5", "172.16.3.4", "192.168.1.20", "fd00::2", "::ffff:192.168.1.20", "203.0.113.7", "2001:db8::1"]) {
      expect(isLocalAddress(address), address).toBe(false);
    }
  });

  it("downloads from a loopback server whose origin is in localSources, and only from that one", async () => {
    const { port } = new URL(base);
    await expect(deployFrom(`${base}/model.onnx`, [`http://127.0.0.1:${Number(port) + 1}`, `https://127.0.0.1:${port}`])).rejects.toThrow(
      /does not download from 127\.0\.0\.1/,
    );
    expect(requests).toEqual([]);
    expect(await deployFrom(`${base}/model.onnx`, [base])).toMatchObject({ sizeBytes: MODEL.length, sha256: SHA });
  });

  it("follows redirects on an allowed server, at most five", async () => {
    let target = "/model.onnx";
    behave = (req, res) => (req.url === "/model.onnx" ? serveModel(res, req.headers.range) : res.writeHead(302, { Location: target }).end());
    expect(await deployFrom(`${base}/moved.onnx`, [base])).toMatchObject({ sizeBytes: MODEL.length, sha256: SHA });
    expect(requests).toHaveLength(2);

    target = "/moved.onnx";
    requests = [];
    await expect(deployFrom(`${base}/moved.onnx`, [base], "loop.onnx")).rejects.toThrow(/More than 5 redirects, the last from http:\/\/127\.0\.0\.1:\d+\/moved\.onnx: give the model's final URL/);
    expect(requests).toHaveLength(6);
  });

  it("checks every redirect: an allowed server cannot send the download on to a loopback or link-local one", async () => {
    // Both servers are on 127.0.0.1 here: localSources allows the first one's origin only.
    const inner = createServer((_req, res) => res.end("internal admin page"));
    let innerRequests = 0;
    inner.on("request", () => innerRequests++);
    await new Promise<void>((resolve) => inner.listen(0, "127.0.0.1", resolve));
    const innerHost = `127.0.0.1:${(inner.address() as AddressInfo).port}`;
    try {
      let target = `http://${innerHost}/admin`;
      behave = (_req, res) => res.writeHead(302, { Location: target }).end();
      await expect(deployFrom(`${base}/moved.onnx`, [base])).rejects.toThrow(refusal(innerHost, "127.0.0.1"));
      target = "http://169.254.169.254/latest/meta-data/";
      await expect(deployFrom(`${base}/moved.onnx`, [base])).rejects.toThrow(refusal("169.254.169.254", "169.254.169.254"));
      expect(requests).toHaveLength(2);
      expect(innerRequests).toBe(0);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => inner.close(() => resolve()));
    }
  });
});
