import { describe, expect, it } from "vitest";
import { parseNvfancontrolConf } from "./nvfancontrol.js";

describe("nvfancontrol.conf", () => {
  it("reads the profiles and the defaults, ignoring comments", () => {
    const conf = [
      "POLLING_INTERVAL 2",
      "<FAN 1>",
      "\tFAN_PROFILE quiet {",
      "\t\t#TEMP \tHYST\tPWM\tRPM",
      "\t\t0\t0 \t77\t1000",
      "\t}",
      "\tFAN_PROFILE cool {",
      "\t}",
      "\t#FAN_DEFAULT_PROFILE aggressive",
      "\tFAN_DEFAULT_CONTROL open_loop",
      "\tFAN_DEFAULT_PROFILE cool",
      "\tFAN_DEFAULT_GOVERNOR pid",
    ].join("\n");
    expect(parseNvfancontrolConf(conf)).toEqual({ profiles: ["quiet", "cool"], profile: "cool", control: "open_loop" });
    expect(parseNvfancontrolConf("")).toEqual({ profiles: [] });
  });
});
