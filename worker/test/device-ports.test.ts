import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  decodePortFrame,
  encodePortFrame,
  INITIAL_WINDOW_BYTES,
  MAX_CHUNK_BYTES,
  MAX_HEADER_FIELDS,
  MAX_PATH_CHARS,
  type PortFrameHeader,
  type PortFrameOf,
} from "@jetson/protocol";
import { MAX_DEVICE_STREAMS, MAX_TUNNEL_STREAMS } from "../src/tunnel/port-tunnels.js";
import { MAX_WS_DELIVERED_BYTES } from "../src/tunnel/ws-exchange.js";
import { ADMIN, connectedDevice, DeviceClient, provision } from "./device-client.js";

function rest(headers: Record<string, string>, method: string, path: string, body?: unknown) {
  return exports.default.fetch(`http://w${path}`, {
    method,
    headers: { ...headers, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

let reader: Record<string, string>;

/** A device (frames by hand, no bridge) with a tunnel open to its port 8080; `url` as this test's Worker answers it. */
async function openTunnel(id: string) {
  const device = await connectedDevice(id);
  await device.subscribeCommands(id);
  const send = (header: PortFrameHeader, body?: Uint8Array) => device.publishBytes(`jetson/${id}/port-up`, encodePortFrame(header, body));
  const nextFrame = async () => decodePortFrame((await device.next("publish")).payload).header;
  /** The next open frame, past the frames of the streams before it. */
  const nextOpen = async (): Promise<PortFrameOf<"open">> => {
    for (;;) {
      const frame = await nextFrame();
      if (frame.type === "open") return frame;
    }
  };
  /** Sends a frame and waits until the object has taken it (its PUBACK): the next one cannot overtake it. */
  const sendTaken = async (messageId: number, header: PortFrameHeader, body?: Uint8Array) => {
    device.publishBytes(`jetson/${id}/port-up`, encodePortFrame(header, body), messageId);
    for (;;) if ((await device.next("puback")).messageId === messageId) return;
  };
  const opening = rest(ADMIN, "POST", `/api/devices/${id}/ports`, { port: 8080 });
  const check = await nextFrame();
  expect(check).toMatchObject({ type: "check", port: 8080 });
  send({ type: "checked", stream: check.stream, allowed: true });
  const opened = await opening;
  expect(opened.status).toBe(201);
  const url = ((await opened.json()) as { url: string }).url.replace(/^https?:\/\/[^/]+/, "http://w");
  return { device, send, nextFrame, nextOpen, sendTaken, url };
}

beforeAll(async () => {
  await provision("web-1");
  const response = await rest(ADMIN, "POST", "/api/tokens", { name: "viewer", scopes: ["read"] });
  reader = { Authorization: `Bearer ${((await response.json()) as { token: string }).token}` };
});

describe("opening a device's port: refusals before anything opens", () => {
  it("needs the operate scope to open, read to list", async () => {
    const refused = await rest(reader, "POST", "/api/devices/web-1/ports", { port: 8080 });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'This needs the "operate" scope.' });
    const listed = await rest(reader, "GET", "/api/devices/web-1/ports");
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ ports: [] });
  });

  it("refuses a bad port or lifetime with a clear error", async () => {
    const zero = await rest(ADMIN, "POST", "/api/devices/web-1/ports", { port: 0 });
    expect(zero.status).toBe(400);
    expect(((await zero.json()) as { error: string }).error).toMatch(/port/);
    const long = await rest(ADMIN, "POST", "/api/devices/web-1/ports", { port: 8080, seconds: 5 * 3600 });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: string }).error).toMatch(/seconds/);
  });

  it("answers an unknown device as missing, and an offline one with why, audited", async () => {
    expect((await rest(ADMIN, "POST", "/api/devices/nobody/ports", { port: 8080 })).status).toBe(404);
    const offline = await rest(ADMIN, "POST", "/api/devices/web-1/ports", { port: 8080 });
    expect(offline.status).toBe(400);
    expect(((await offline.json()) as { error: string }).error).toMatch(/offline/);
    const audit = (await (await rest(ADMIN, "GET", "/api/audit?device=web-1")).json()) as { entries: Array<Record<string, unknown>> };
    expect(audit.entries).toContainEqual(expect.objectContaining({ action: "open_device_port", outcome: "refused", args: { port: 8080, seconds: 900 } }));
  });

  it("closing a tunnel that is not open is a 404", async () => {
    expect((await rest(ADMIN, "DELETE", "/api/devices/web-1/ports/pt_nothing")).status).toBe(404);
  });
});

describe("tunnel URLs", () => {
  it("answer 404 to a malformed token, a token of no object, and a wrong secret for a real device", async () => {
    const malformed = await exports.default.fetch("http://w/t/abc/");
    expect(malformed.status).toBe(404);
    const noObject = await exports.default.fetch(`http://w/t/${"f".repeat(64)}${"A".repeat(43)}/`);
    expect(noObject.status).toBe(404);
    const device = env.DEVICE.idFromName("local/web-1").toString();
    const wrongSecret = await exports.default.fetch(`http://w/t/${device}${"A".repeat(43)}/index.html`);
    expect(wrongSecret.status).toBe(404);
    const neverProvisioned = await exports.default.fetch(`http://w/t/${env.DEVICE.idFromName("local/ghost").toString()}${"A".repeat(43)}/`);
    expect(neverProvisioned.status).toBe(404);
    const texts = new Set([await malformed.text(), await noObject.text(), await wrongSecret.text(), await neverProvisioned.text()]);
    expect(texts.size).toBe(1);
    for (const answer of [malformed, noObject, wrongSecret, neverProvisioned]) expect(answer.headers.get("content-security-policy")).toMatch(/^sandbox /);
  });

  it("serve the Worker's own answers (device offline, stream ended) sandboxed like the device's pages", async () => {
    const { device, nextFrame, url } = await openTunnel("web-3");
    const pending = exports.default.fetch(`${url}slow`);
    const open = await nextFrame();
    expect(open).toMatchObject({ type: "open", path: "/slow" });
    device.ws.close();
    const dropped = await pending;
    expect(dropped.status).toBe(502);
    const offline = await exports.default.fetch(`${url}again`);
    expect(offline.status).toBe(502);
    expect(await offline.text()).toMatch(/offline/);
    for (const answer of [dropped, offline]) {
      expect(answer.headers.get("content-security-policy")).toMatch(/^sandbox /);
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });
});

describe("the device's side of the link", () => {
  it("tells a device that streams to a stream the cloud does not know (restarted since) to stop", async () => {
    const token = await provision("web-2");
    const device = await DeviceClient.open("/tunnel/local/web-2");
    expect(await device.connect("web-2", token)).toMatchObject({ reasonCode: 0 });
    await device.subscribeCommands("web-2");
    device.publishBytes("jetson/web-2/port-up", encodePortFrame({ type: "data", stream: 42 }, new Uint8Array([1, 2, 3])));
    const reset = await device.next("publish");
    expect(reset.topic).toBe("jetson/web-2/port-down");
    expect(decodePortFrame(reset.payload).header).toMatchObject({ type: "reset", stream: 42 });
    device.ws.close();
  });
});

describe("credit, as the device's object enforces it", () => {
  it("streams what the device sends within its credit, and ends the stream of a device that sends more", async () => {
    const { device, send, nextFrame, url } = await openTunnel("web-3");
    const fetching = exports.default.fetch(`${url}video`);
    const open = await nextFrame();
    expect(open).toMatchObject({ type: "open", port: 8080, method: "GET", path: "/video", websocket: false });
    send({ type: "response", stream: open.stream, status: 200, headers: [["content-type", "video/mp4"]] });
    const response = await fetching;
    expect(response.status).toBe(200);
    // Eight windows at once, without waiting for credit: whatever the Worker reads ahead of its client,
    // the object grants back only what it handed on, so the device overruns its credit.
    const chunk = new Uint8Array(MAX_CHUNK_BYTES);
    for (let sent = 0; sent < 8 * INITIAL_WINDOW_BYTES; sent += chunk.length) send({ type: "data", stream: open.stream }, chunk);
    let reset: PortFrameHeader;
    do reset = await nextFrame();
    while (reset.type !== "reset");
    expect(reset).toMatchObject({ stream: open.stream, reason: "the device sent more than its credit" });
    await expect(response.text()).rejects.toThrow();
    device.ws.close();
  });
});

describe("the device's response headers, as the client gets them", () => {
  /** Fetches `path` through the tunnel and has the device answer it with `status` and `headers`, and no body. */
  async function answered(tunnel: Awaited<ReturnType<typeof openTunnel>>, path: string, status: number, headers: Array<[string, string]>) {
    const fetching = exports.default.fetch(`${tunnel.url}${path}`, { redirect: "manual" });
    let open: PortFrameHeader;
    // Past the frames of the requests before (a GET's end).
    do open = await tunnel.nextFrame();
    while (open.type !== "open");
    expect(open).toMatchObject({ type: "open", path: `/${path}` });
    tunnel.send({ type: "response", stream: open.stream, status, headers });
    // The end only once the response is in: the test pool may reorder a socket's messages.
    const response = await fetching;
    tunnel.send({ type: "end", stream: open.stream });
    expect((await response.arrayBuffer()).byteLength).toBe(0);
    return response;
  }

  it("passes what a web app needs, and nothing that acts on the Worker's origin beyond the page (Clear-Site-Data signing the dashboard out, HSTS, reporting, ...)", async () => {
    const tunnel = await openTunnel("web-4");
    const kept: Array<[string, string]> = [
      ["content-type", "text/html; charset=utf-8"],
      ["content-language", "en"],
      ["content-disposition", 'inline; filename="status.html"'],
      ["cache-control", "no-cache"],
      ["expires", "Thu, 01 Jan 2099 00:00:00 GMT"],
      ["etag", '"v1"'],
      ["last-modified", "Wed, 21 Oct 2015 07:28:00 GMT"],
      ["vary", "Accept-Encoding"],
      ["accept-ranges", "bytes"],
      ["access-control-allow-origin", "*"],
      ["x-total-count", "42"],
    ];
    const dropped: Array<[string, string]> = [
      ["clear-site-data", '"cookies", "storage", "cache"'],
      ["nel", '{"report_to":"default","max_age":31536000,"include_subdomains":true}'],
      ["report-to", '{"group":"default","max_age":31536000,"endpoints":[{"url":"https://attacker.example/r"}]}'],
      ["reporting-endpoints", 'default="https://attacker.example/r"'],
      ["strict-transport-security", "max-age=0; includeSubDomains"],
      ["alt-svc", 'h3=":443"; ma=2592000'],
      ["service-worker-allowed", "/"],
      ["origin-agent-cluster", "?0"],
      ["speculation-rules", '"/rules.json"'],
      ["accept-ch", "Sec-CH-UA-Full-Version-List"],
      ["set-login", "logged-out"],
      ["refresh", "0; url=https://attacker.example/"],
      ["link", "</>; rel=prerender"],
      ["www-authenticate", 'Basic realm="Your session expired: sign in again"'],
      ["set-cookie", "jetson_session=planted; Path=/"],
      ["content-location", "/elsewhere"],
      ["device-note", "a header of the app's own, not X-"],
    ];
    const response = await answered(tunnel, "status", 200, [
      ...kept,
      ...dropped,
      ["content-security-policy", "default-src *"],
      ["referrer-policy", "unsafe-url"],
      ["x-content-type-options", "none"],
    ]);
    expect(response.status).toBe(200);
    for (const [name, value] of kept) expect([name, response.headers.get(name)]).toEqual([name, value]);
    for (const [name] of dropped) expect([name, response.headers.get(name)]).toEqual([name, null]);
    // The Worker's own, not the device's.
    expect(response.headers.get("content-security-policy")).toMatch(/^sandbox /);
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");

    // A 401 stays a 401, but raises no credential prompt for the Worker's origin.
    const unauthorized = await answered(tunnel, "admin", 401, [["content-type", "text/plain"], ["www-authenticate", 'Basic realm="device"'], ["proxy-authenticate", "Basic"]]);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("www-authenticate")).toBeNull();
    expect(unauthorized.headers.get("proxy-authenticate")).toBeNull();
    tunnel.device.ws.close();
  });

  it("keeps a redirect to the device's own pages inside the tunnel, whatever its dots, and passes one to another site as it is", async () => {
    const tunnel = await openTunnel("web-5");
    /** Where the client lands after the device answers `path` with a redirect to `location`. */
    const landing = async (path: string, location: string) => {
      const response = await answered(tunnel, path, 302, [["location", location]]);
      expect(response.status).toBe(302);
      const sent = response.headers.get("location");
      return sent === null ? null : new URL(sent, `${tunnel.url}${path}`).href;
    };
    expect(await landing("app/settings/page?x=1", "/login?next=%2Fapp")).toBe(`${tunnel.url}login?next=%2Fapp`);
    expect(await landing("app/settings/page", "/")).toBe(tunnel.url);
    expect(await landing("app/settings/page", "next?step=2#top")).toBe(`${tunnel.url}app/settings/next?step=2#top`);
    expect(await landing("", "login")).toBe(`${tunnel.url}login`);
    expect(await landing("app/", "../../../../signout")).toBe(`${tunnel.url}signout`);
    expect(await landing("app/", "/../../signout")).toBe(`${tunnel.url}signout`);
    expect(await landing("app/", "/.//attacker.example/")).toBe(`${tunnel.url}/attacker.example/`);
    expect(await landing("/elsewhere/x", "/login")).toBe(`${tunnel.url}login`);
    expect(await landing("app", "https://sso.example/login?back=1")).toBe("https://sso.example/login?back=1");
    expect(await landing("app", "//sso.example/login")).toBe("http://sso.example/login");
    expect(await landing("app", "http://[not a url")).toBeNull();
    tunnel.device.ws.close();
  });
});

describe("requests the tunnel cannot carry", () => {
  it("answers one over the frame's limits at once (431, 414), sends the device nothing, and keeps no slot for it", async () => {
    const tunnel = await openTunnel("web-6");
    // A long path and 4000 empty headers: an open frame over 64 KiB, more than a frame can hold.
    const empty = Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`h${i.toString(36).padStart(3, "0")}`, ""]));
    const many = Object.fromEntries(Array.from({ length: MAX_HEADER_FIELDS + 1 }, (_, i) => [`x-h${i}`, "1"]));
    const tooLong = [414, `Request path and query over ${MAX_PATH_CHARS} characters\n`];
    const tooMany = [431, `More than ${MAX_HEADER_FIELDS} request headers\n`];
    // More of them than a tunnel, and a device, has slots.
    for (let i = 0; i <= MAX_DEVICE_STREAMS; i++) {
      const refused = i % 2 === 0 ? await exports.default.fetch(`${tunnel.url}${"p".repeat(20_000)}`, { headers: empty }) : await exports.default.fetch(`${tunnel.url}h${i}`, { headers: many });
      expect([refused.status, await refused.text()]).toEqual(i % 2 === 0 ? tooLong : tooMany);
      expect(refused.headers.get("content-security-policy")).toMatch(/^sandbox /);
    }
    const longQuery = await exports.default.fetch(`${tunnel.url}q?x=${"a".repeat(MAX_PATH_CHARS)}`);
    expect([longQuery.status, await longQuery.text()]).toEqual(tooLong);

    const fetching = exports.default.fetch(`${tunnel.url}ok`);
    const open = await tunnel.nextFrame();
    expect(open).toMatchObject({ type: "open", path: "/ok" });
    tunnel.send({ type: "response", stream: open.stream, status: 200, headers: [] });
    const response = await fetching;
    tunnel.send({ type: "end", stream: open.stream });
    expect(response.status).toBe(200);
    tunnel.device.ws.close();
  });
});

describe("answers without a body, and encoded ones", () => {
  it("passes a gzip page as the device encoded it, with or without its length, and answers HEAD for it with the headers alone", async () => {
    const tunnel = await openTunnel("web-7");
    const page = "hello from a device app that serves gzip\n".repeat(20);
    const gzip = new Uint8Array(await new Response(new Blob([page]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
    const fetched = async (method: string, length: boolean) => {
      const fetching = exports.default.fetch(`${tunnel.url}page`, { method, headers: { "accept-encoding": "gzip" } });
      const open = await tunnel.nextOpen();
      const headers: Array<[string, string]> = [["content-type", "text/plain"], ["content-encoding", "gzip"]];
      if (length) headers.push(["content-length", String(gzip.length)]);
      tunnel.send({ type: "response", stream: open.stream, status: 200, headers });
      const response = await fetching;
      if (method !== "HEAD") tunnel.send({ type: "data", stream: open.stream }, gzip);
      tunnel.send({ type: "end", stream: open.stream });
      return response;
    };
    for (const length of [false, true]) {
      const response = await fetched("GET", length);
      expect(response.status).toBe(200);
      // This client decodes gzip once, as a browser does.
      expect(await response.text()).toBe(page);
    }
    const head = await fetched("HEAD", true);
    expect([head.status, head.headers.get("content-encoding"), head.headers.get("content-length")]).toEqual([200, "gzip", String(gzip.length)]);
    expect(head.headers.get("content-security-policy")).toMatch(/^sandbox /);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    tunnel.device.ws.close();
  });

  it("frees the slot of an answer without a body (204, 304, HEAD) whatever the device sends after it", async () => {
    const tunnel = await openTunnel("web-8");
    const answers: Array<[string, number]> = [["GET", 204], ["GET", 304], ["HEAD", 200]];
    // More of them than the tunnel has slots.
    for (let i = 0; i <= MAX_TUNNEL_STREAMS; i++) {
      const [method, status] = answers[i % answers.length]!;
      const fetching = exports.default.fetch(`${tunnel.url}n${i}`, { method });
      const open = await tunnel.nextOpen();
      await tunnel.sendTaken(100 + 3 * i, { type: "response", stream: open.stream, status, headers: [["etag", '"v1"']] });
      const response = await fetching;
      expect(response.status).toBe(status);
      // A stray byte first, then the end.
      await tunnel.sendTaken(101 + 3 * i, { type: "data", stream: open.stream }, new Uint8Array([1]));
      await tunnel.sendTaken(102 + 3 * i, { type: "end", stream: open.stream });
    }
    const fetching = exports.default.fetch(`${tunnel.url}ok`);
    const open = await tunnel.nextOpen();
    expect(open.path).toBe("/ok");
    tunnel.send({ type: "response", stream: open.stream, status: 200, headers: [] });
    const response = await fetching;
    tunnel.send({ type: "end", stream: open.stream });
    expect(response.status).toBe(200);
    tunnel.device.ws.close();
  });
});

describe("a WebSocket whose client does not read", () => {
  it("is closed (1008) once the device has sent what one WebSocket may carry, and the device is told to stop", async () => {
    const tunnel = await openTunnel("web-9");
    const upgrading = exports.default.fetch(`${tunnel.url}feed`, { headers: { upgrade: "websocket" } });
    const open = await tunnel.nextOpen();
    expect(open.websocket).toBe(true);
    tunnel.send({ type: "response", stream: open.stream, status: 101, headers: [] });
    const upgraded = await upgrading;
    expect(upgraded.status).toBe(101);
    // Not accepted yet: this client reads nothing, as one whose connection stalled.
    const client = upgraded.webSocket!;
    // The device's server sends as fast as its credit allows, as the bridge does.
    const chunk = new Uint8Array(MAX_CHUNK_BYTES);
    let credit = INITIAL_WINDOW_BYTES;
    let sent = 0;
    let frame: PortFrameHeader | undefined;
    while (sent <= 2 * MAX_WS_DELIVERED_BYTES && frame?.type !== "reset") {
      for (; credit >= chunk.length; credit -= chunk.length, sent += chunk.length) tunnel.send({ type: "data", stream: open.stream }, chunk);
      frame = await tunnel.nextFrame();
      if (frame.type === "credit") credit += frame.bytes;
    }
    expect(frame).toMatchObject({ type: "reset", stream: open.stream });
    expect(sent).toBeLessThanOrEqual(MAX_WS_DELIVERED_BYTES + INITIAL_WINDOW_BYTES);
    // What the object had queued reaches the client when it reads again, then the close.
    const closed = new Promise<number>((resolve) => client.addEventListener("close", (event) => resolve(event.code)));
    client.accept();
    expect(await closed).toBe(1008);
    tunnel.device.ws.close();
  });
});

