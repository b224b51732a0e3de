import { z } from "zod";
import { TimeStatusSchema } from "../sysadmin/payloads.js";
import { defineAction, READ_ONLY } from "./define.js";

export const timeStatus = defineAction({
  name: "time.status",
  title: "Clock and time zone",
  description: "The device's clock, time zone, and whether NTP synchronisation is on and has synchronised the clock (timedatectl).",
  schemas: () => ({
    input: z.object({}),
    output: TimeStatusSchema,
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 15_000,
});

export const timeActions = [timeStatus] as const;
