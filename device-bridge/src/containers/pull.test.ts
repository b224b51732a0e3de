import { describe, expect, it } from "vitest";
import { ActionError } from "../action-error.js";
import { MAX_LINE_BYTES } from "../host/output.js";
import { jsonLines, PullProgress, splitReference } from "./pull.js";

describe("pulling an image", () => {
  it("always names a tag, so the Engine never pulls every tag of a repository", () => {
    expect(splitReference("busybox")).toEqual({ fromImage: "busybox", tag: "latest" });
    expect(splitReference("nvcr.io/nvidia/l4t-base:r36.2.0")).toEqual({ fromImage: "nvcr.io/nvidia/l4t-base", tag: "r36.2.0" });
    expect(splitReference("localhost:5000/models/triton")).toEqual({ fromImage: "localhost:5000/models/triton", tag: "latest" });
    expect(splitReference(`dustynv/ollama@sha256:${"a".repeat(64)}`)).toEqual({ fromImage: "dustynv/ollama", tag: `sha256:${"a".repeat(64)}` });
  });

  it("sums the layers' download progress", () => {
    const progress = new PullProgress();
    const events = [
      { status: "Pulling from nvidia/l4t-base", id: "r36.2.0" },
      { status: "Pulling fs layer", id: "a1" },
      { status: "Already exists", id: "b2" },
      { status: "Downloading", id: "a1", progressDetail: { current: 1_048_576, total: 4_194_304 } },
      { status: "Pulling fs layer", id: "c3" },
      { status: "Downloading", id: "c3", progressDetail: { current: 0, total: 2_097_152 } },
    ];
    for (const event of events) progress.line("l4t-base", JSON.stringify(event));
    expect(progress.snapshot()).toEqual({ done: 1_048_576, total: 6_291_456, message: "1.0 of 6.0 MB, 1 of 4 layers done" });
    progress.line("l4t-base", JSON.stringify({ status: "Download complete", id: "a1" }));
    expect(progress.snapshot().done).toBe(4_194_304);
  });

  it("turns an error in the stream into one that says what to do", () => {
    const progress = new PullProgress();
    const unreachable = JSON.stringify({
      error: "initializing source docker://alpine:3.19: pinging container registry registry-1.docker.io: dial tcp: lookup registry-1.docker.io: no such host",
    });
    expect(() => progress.line("alpine:3.19", unreachable)).toThrow(/could not reach the registry for alpine:3.19: check its network/);
    const missing = JSON.stringify({ errorDetail: { message: "manifest for nvcr.io/nvidia/l4t-base:r99 not found: manifest unknown" } });
    try {
      progress.line("nvcr.io/nvidia/l4t-base:r99", missing);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ActionError);
      expect((error as ActionError).code).toBe("invalid_input");
      expect((error as ActionError).message).toMatch(/no image nvcr.io\/nvidia\/l4t-base:r99/);
    }
  });

  it("bounds a progress line that never ends, and reads the lines after it", async () => {
    async function* body() {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(16 * 1024, "x");
      yield Buffer.from('\n{"status":"Pull complete"}\n');
    }
    const lines = [];
    for await (const line of jsonLines(body())) lines.push(line);
    expect(lines).toEqual(["x".repeat(MAX_LINE_BYTES), '{"status":"Pull complete"}']);
  });
});
