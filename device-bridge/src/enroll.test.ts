import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { enroll } from "./enroll.js";

describe("enrollment", () => {
  it("refuses to send the code in clear text to anything but a loopback address, writing nothing", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "enroll-"));
    await expect(enroll("http://fleet.example.com", "ABCD-EFGH", path.join(dir, "config.json"))).rejects.toThrow(
      /Refusing to enroll through http:\/\/fleet\.example\.com: url must be https: or wss:/,
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
