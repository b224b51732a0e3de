import { z } from "zod";
import { ContainerRefSchema, ImageRefSchema } from "./containers.js";
import { FanProfileNameSchema } from "./hardware.js";

/**
 * What an operator wants a device to keep: each field is optional, and a field
 * left out is not managed. Each device's object compares it with what the device
 * reports and applies the difference with the catalogued actions.
 */
export const DesiredStateSchema = z.strictObject({
  powerModeId: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe("nvpmodel power mode id (ids differ per board: see power_modes); applied with power.set"),
  fan: z
    .strictObject({
      pwmPct: z.number().min(0).max(100).optional().describe("Fan speed, 0-100 %; applied with fan.set"),
      profile: FanProfileNameSchema.optional().describe(
        "nvfancontrol profile (quiet, cool, ... as fan_get lists them; temp_control on JetPack 4); applied with fan.set before pwmPct",
      ),
    })
    .optional(),
  clocksLocked: z.boolean().optional().describe("jetson_clocks: true keeps clocks locked at maximum (clocks.lock), false restores them"),
  containers: z
    .array(z.strictObject({ name: ContainerRefSchema, image: ImageRefSchema }))
    .max(16)
    .optional()
    .describe("Containers that must be running: pulled and started (restart unless-stopped) when missing, started when stopped"),
});
export type DesiredState = z.infer<typeof DesiredStateSchema>;

export const DriftAspectSchema = z.enum(["powerMode", "fan", "clocks", "containers"]);
export type DriftAspect = z.infer<typeof DriftAspectSchema>;

/** A difference the device's object could not fix. */
export const DriftSchema = z.object({
  aspect: DriftAspectSchema,
  /** The container, or the fan field, the drift is about. */
  item: z.string().optional(),
  /** As a person reads it: "mode 5", "locked", "nvcr.io/nvidia/l4t-base:r36.2.0 running". */
  wanted: z.string(),
  actual: z.string().optional(),
  reason: z.string(),
  /** Epoch ms since when this difference has stood. */
  since: z.number(),
});
export type Drift = z.infer<typeof DriftSchema>;

/** One declaration: the devices a selector chooses should hold this state (a device's own is the selector `id:<device>`). */
export const DesiredStateRuleSchema = z.object({
  selector: z.string(),
  state: DesiredStateSchema,
  updatedAt: z.number(),
  updatedBy: z.string(),
});
export type DesiredStateRule = z.infer<typeof DesiredStateRuleSchema>;

/** One device's desired state (every rule that chooses it, merged in order: later rules win field by field) and its drift. */
export const DesiredStatusSchema = z.object({
  device: z.string(),
  desired: DesiredStateSchema,
  /** Selectors of the rules merged into `desired`, oldest first. */
  rules: z.array(z.string()),
  drift: z.array(DriftSchema),
  /** When `desired` last changed. */
  updatedAt: z.number().optional(),
  /** When the device was last compared with it; older than updatedAt while the device is away. */
  checkedAt: z.number().optional(),
});
export type DesiredStatus = z.infer<typeof DesiredStatusSchema>;
