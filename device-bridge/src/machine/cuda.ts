import { z } from "zod";
import type { HostPort } from "../host/port.js";

const VersionJsonSchema = z.object({ cuda: z.object({ version: z.string() }) });

/** The CUDA toolkit's version: version.json from CUDA 11 on, version.txt ("CUDA Version 10.2.300") before. */
export async function readCudaVersion(host: HostPort): Promise<string | undefined> {
  const json = await host.readFile("/usr/local/cuda/version.json");
  if (json !== undefined) {
    try {
      const parsed = VersionJsonSchema.safeParse(JSON.parse(json));
      if (parsed.success) return parsed.data.cuda.version;
    } catch {
      // Not JSON: fall through to version.txt.
    }
  }
  const text = await host.readFile("/usr/local/cuda/version.txt");
  return text === undefined ? undefined : /CUDA Version\s+(\S+)/.exec(text)?.[1];
}
