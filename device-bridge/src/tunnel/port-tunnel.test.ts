import { decodePortFrame, encodePortFrame } from "@jetson/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../log.js";
import { portTunnel } from "./port-tunnel.js";

// Node ends the bridge on an unhandled rejection; here one is only recorded, so the test can say so.
const unhandled: unknown[] = [];
const record = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on("unhandledRejection", record));
afterAll(() => process.off("unhandledRejection", record));

describe("the device service's port tunnel", () => {
  it("logs a frame whose handling throws, and handles the frames after it in order", async () => {
    const errors: string[] = [];
    const log: Logger = { debug() {}, info() {}, warn() {}, error: (message) => errors.push(message) };
    const answered: number[] = [];
    let first = true;
    // The first answer cannot be sent (as when the link's publish throws); the next ones can.
    const tunnel = portTunnel([8080], "t", (payload) => {
      if (first) {
        first = false;
        throw new Error("publish failed");
      }
      answered.push(decodePortFrame(payload).header.stream);
    }, log);
    for (const stream of [1, 2, 3]) tunnel.receive(encodePortFrame({ type: "check", stream, port: 8080 }));
    await expect.poll(() => answered).toEqual([2, 3]);
    expect(errors).toEqual([expect.stringContaining("publish failed")]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });
});
