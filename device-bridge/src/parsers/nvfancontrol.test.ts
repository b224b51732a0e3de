import { describe, expect, it } from "vitest";
import { parseNvfancontrolConf, parseNvfancontrolStatus } from "./nvfancontrol.js";

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

describe("nvfancontrol's status file", () => {
  it("reads the profile, governor and control it runs", () => {
    expect(parseNvfancontrolStatus("FAN1:FAN_PROFILE:cool\nFAN1:FAN_GOVERNOR:cont\nFAN1:FAN_CONTROL:close_loop\n")).toEqual({
      profile: "cool",
      governor: "cont",
      control: "close_loop",
    });
  });

  it("keeps to the first fan and ignores other lines", () => {
    expect(parseNvfancontrolStatus("garbage\nFAN2:FAN_PROFILE:quiet\nFAN1:FAN_PROFILE:cool\nFAN2:FAN_CONTROL:open_loop\nFAN1:FAN_RPM:1000\n")).toEqual({
      profile: "quiet",
      control: "open_loop",
    });
    expect(parseNvfancontrolStatus("")).toEqual({});
  });
});
