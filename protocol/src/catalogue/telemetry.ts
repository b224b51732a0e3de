import { z } from "zod";
import { TelemetrySampleSchema } from "../telemetry.js";
import { defineAction, READ_ONLY } from "./define.js";

export const telemetryWatch = defineAction({
  name: "telemetry.watch",
  title: "Watch live telemetry",
  description:
    "Samples the board with tegrastats for a few seconds and returns every sample: CPU and GPU load and clocks, memory, temperatures, power rails. Reports progress after each sample.",
  schemas: () => ({
    input: z.object({
      seconds: z.number().int().min(1).max(60).default(5).describe("How long to watch"),
      intervalMs: z.number().int().min(100).max(5_000).default(1_000).describe("Time between samples"),
    }),
    output: z.object({ samples: z.array(TelemetrySampleSchema) }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 90_000,
});
