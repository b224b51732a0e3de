import { z } from "zod";
import { defineAction, READ_ONLY } from "./define.js";

export const systemInfo = defineAction({
  name: "system.info",
  title: "System information",
  description:
    "Identity and resources of the device: hostname, kernel, uptime, board model, SoC, L4T and JetPack versions, CPU count, memory and root disk.",
  schemas: () => ({
    input: z.object({}),
    output: z.object({
      hostname: z.string(),
      kernel: z.string().optional(),
      uptimeSeconds: z.number().optional(),
      board: z.string().optional(),
      soc: z.string().optional(),
      l4t: z.string().optional(),
      jetpack: z.string().optional(),
      cpuCount: z.number().int().optional(),
      memory: z.object({ totalMB: z.number(), availableMB: z.number() }).optional(),
      disk: z.object({ path: z.string(), totalMB: z.number(), freeMB: z.number() }).optional(),
    }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 15_000,
});

export const systemPing = defineAction({
  name: "system.ping",
  title: "Ping the bridge",
  description: "Round trip to the device's bridge; answers with the bridge's clock and version.",
  schemas: () => ({
    input: z.object({}),
    output: z.object({ pong: z.literal(true), at: z.number(), bridgeVersion: z.string() }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 10_000,
});
