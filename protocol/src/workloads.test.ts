import { describe, expect, it } from "vitest";
import { ModelNameSchema } from "./ai.js";
import { findAction } from "./catalogue/index.js";
import { ContainerRefSchema, ImageRefSchema } from "./containers.js";

describe("names that reach the device's file system and the Engine API", () => {
  it("accepts model file names and nothing that could leave the store", () => {
    for (const name of ["resnet50.onnx", "yolov8n-fp16.engine", "model_v2.plan", "a"]) expect(ModelNameSchema.safeParse(name).success, name).toBe(true);
    for (const name of ["../x.onnx", "a/b.onnx", "..", "x..onnx", ".hidden", "model.onnx.part", "", "a b.onnx", "/etc/passwd", "x".repeat(129)]) {
      expect(ModelNameSchema.safeParse(name).success, name).toBe(false);
    }
  });

  it("accepts image references Docker accepts and refuses the rest", () => {
    for (const image of ["busybox", "localhost/busybox:test", "nvcr.io/nvidia/l4t-pytorch:r35.2.1-pth2.0-py3", "localhost:5000/a/b_c__d:v1", `dustynv/ollama@sha256:${"a".repeat(64)}`]) {
      expect(ImageRefSchema.safeParse(image).success, image).toBe(true);
    }
    for (const image of ["Busybox", "busybox:", "-x", "a b", "busybox;reboot", "busybox:tag/evil", "../x"]) expect(ImageRefSchema.safeParse(image).success, image).toBe(false);
    for (const ref of ["web", "0123456789ab", "my_app.v2-1"]) expect(ContainerRefSchema.safeParse(ref).success, ref).toBe(true);
    for (const ref of ["", "../web", "web/json", "-web", "web?all=1"]) expect(ContainerRefSchema.safeParse(ref).success, ref).toBe(false);
  });

  it("marks what changes the device honestly", () => {
    const hints = (name: string) => findAction(name)?.hints;
    expect(hints("containers.list")).toMatchObject({ readOnly: true });
    for (const name of ["containers.pull", "containers.run", "containers.start", "containers.stop", "ai.model_deploy", "ai.serve", "ai.benchmark"]) {
      expect(hints(name), name).toMatchObject({ readOnly: false, destructive: false });
    }
    for (const name of ["containers.remove", "ai.model_remove"]) expect(hints(name), name).toMatchObject({ readOnly: false, destructive: true });
  });
});
