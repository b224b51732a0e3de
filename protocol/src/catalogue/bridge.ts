import { z } from "zod";
import { BridgeVersionSchema } from "../releases.js";
import { defineAction } from "./define.js";

export const bridgeUpdate = defineAction({
  name: "bridge.update",
  title: "Update the bridge",
  description:
    "Installs a published bridge release on the device and restarts the bridge on it. The device downloads the release through the cloud, checks its sha256 and its signature by the fleet's update key (pinned on the device at enrollment), and refuses a release for another architecture or an older version (unless allowDowngrade). Its progress says `restarting into` the version; the new bridge answers `updated` once it is online and passed its health check. If it does not within healthTimeoutSeconds, the device switches back to the previous version by itself and the command fails with the reason (also in the device's state, `update`).",
  schemas: () => ({
    input: z.object({
      version: BridgeVersionSchema.describe("The published release to install, e.g. 1.4.2"),
      allowDowngrade: z.boolean().optional().describe("Install even if the version is older than the running one"),
      healthTimeoutSeconds: z
        .number()
        .int()
        .min(10)
        .max(1_800)
        .optional()
        .describe("How long the new bridge has to come online and pass its health check before the device rolls back (default 120)"),
    }),
    output: z.object({ status: z.literal("updated"), from: z.string(), to: z.string() }),
  }),
  // It changes the device's software, but a failed update undoes itself: not destructive, not idempotent.
  hints: { readOnly: false, destructive: false, idempotent: false },
  // The answer waits for the download (a few MiB over a slow link), the restart and the health check.
  defaultTimeoutMs: 300_000,
});

export const bridgeActions = [bridgeUpdate] as const;
