import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { decodePortFrame, encodePortFrame, INITIAL_WINDOW_BYTES, MAX_CHUNK_BYTES, type PortFrameHeader } from "@jetson/protocol";
import { ADMIN, DeviceClient, provision } from "./device-client.js";

function rest(headers: Record<string, string>, method: string, path: string, body?: unknown) {
  return exports.default.fetch(`http://w${path}`, {
    method,
    headers: { ...headers, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

let reader: Record<string, string>;

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
    const token = await provision("web-3");
    const device = await DeviceClient.open("/tunnel/local/web-3");
    await device.connect("web-3", token);
    await device.subscribeCommands("web-3");
    const send = (header: PortFrameHeader, body?: Uint8Array) => device.publishBytes("jetson/web-3/port-up", encodePortFrame(header, body));
    const nextFrame = async () => decodePortFrame((await device.next("publish")).payload).header;

    const opening = rest(ADMIN, "POST", "/api/devices/web-3/ports", { port: 8080 });
    const check = await nextFrame();
    expect(check).toMatchObject({ type: "check", port: 8080 });
    send({ type: "checked", stream: check.stream, allowed: true });
    const opened = await opening;
    expect(opened.status).toBe(201);
    const { url } = (await opened.json()) as { url: string };

    const fetching = exports.default.fetch(url.replace(/^https?:\/\/[^/]+/, "http://w") + "video");
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
