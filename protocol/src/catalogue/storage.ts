import { z } from "zod";
import { AbsolutePathSchema } from "../sysadmin/names.js";
import { FolderSizeSchema, MountUsageSchema } from "../sysadmin/payloads.js";
import { defineAction, READ_ONLY } from "./define.js";

export const storageUsage = defineAction({
  name: "storage.usage",
  title: "Disk usage per mount",
  description:
    "Size, used and available bytes and use % of every mounted filesystem (df). Memory-backed ones (tmpfs, devtmpfs) and read-only images (squashfs) are left out unless all is set.",
  schemas: () => ({
    input: z.object({ all: z.boolean().default(false).describe("Include tmpfs, devtmpfs, squashfs and overlay mounts") }),
    output: z.object({ mounts: z.array(MountUsageSchema) }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 15_000,
});

export const storageLargest = defineAction({
  name: "storage.largest",
  title: "Largest folders",
  description:
    "The largest folders under a path (du, staying on that path's filesystem), down to a depth, within a time limit. Folders the bridge may not read are listed apart. The path must lie under one of the device's storage.roots (bridge configuration; / by default).",
  schemas: () => ({
    input: z.object({
      path: AbsolutePathSchema.describe("Folder to measure, e.g. /var or /home"),
      depth: z.number().int().min(1).max(4).default(2).describe("How many levels below path to list"),
      count: z.number().int().min(1).max(100).default(15).describe("How many folders to return, largest first"),
      timeoutSeconds: z.number().int().min(5).max(120).default(60).describe("Stop measuring after this long and return what was measured"),
    }),
    output: z.object({
      path: z.string(),
      totalBytes: z.number().int().nonnegative().optional().describe("The whole path, when du got to the end"),
      folders: z.array(FolderSizeSchema),
      complete: z.boolean().describe("False when du was stopped by the time limit: sizes then cover only the folders it finished"),
      unreadable: z.array(z.string()).describe("Folders du could not read (permissions); their size is missing from the totals"),
    }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 150_000,
});

export const storageActions = [storageUsage, storageLargest] as const;
