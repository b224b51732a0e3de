import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NVIDIA_SMI_GPU_FIELDS, parseNvidiaSmiCsv } from "../src/parsers/nvidia-smi.js";
import { setLoad } from "./create.js";
import { runProgram, tempJetson } from "./testing.js";

describe("the nvidia-smi stand-in on the AGX Thor", () => {
  let sim: Awaited<ReturnType<typeof tempJetson>>;
  beforeAll(async () => {
    sim = await tempJetson("agx-thor-jp7");
  });
  afterAll(() => sim.remove());
  const query = (fields: readonly string[], format = "csv,noheader,nounits") =>
    runProgram(sim, "nvidia-smi", [`--query-gpu=${fields.join(",")}`, `--format=${format}`]);

  it("answers the bridge's query in nvidia-smi's CSV, the GPU's load from the simulation", async () => {
    setLoad(sim.root, 40);
    const { code, stdout } = await query(NVIDIA_SMI_GPU_FIELDS);
    expect(code).toBe(0);
    expect(stdout).toBe("0, NVIDIA Thor, [N/A], [N/A], [N/A], 40, [N/A]\n");
    expect(parseNvidiaSmiCsv(stdout)).toEqual([{ index: 0, name: "NVIDIA Thor", utilizationPct: 40 }]);
  });

  it("prints a header and units unless asked not to", async () => {
    setLoad(sim.root, 75);
    expect((await query(["index", "utilization.gpu"], "csv")).stdout).toBe("index, utilization.gpu [%]\n0, 75 %\n");
  });

  it("refuses a field it does not know", async () => {
    expect(await query(["clocks.bogus"])).toEqual({ code: 2, stdout: "", stderr: 'Field "clocks.bogus" is not a valid field to query.\n' });
  });

  it("is not installed on boards whose GPU has no open RM driver", async () => {
    const orin = await tempJetson("agx-orin-jp6");
    try {
      expect((await runProgram(orin, "nvidia-smi", [])).code).not.toBe(0);
    } finally {
      await orin.remove();
    }
  });
});
