import type { DeviceAttributes } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { boardSlug } from "./attributes.js";
import { MAX_SELECTOR_VALUES, parseSelector, SelectorError, selects } from "./selector.js";

const device = (overrides: Partial<DeviceAttributes>): DeviceAttributes => ({
  id: "cam-1",
  tags: [],
  board: "orin-nano",
  soc: "tegra234",
  jetpack: "6.2",
  l4t: "36.4.3",
  bridge: "0.1.0",
  online: true,
  ...overrides,
});

const chooses = (selector: string, attributes: Partial<DeviceAttributes>) => selects(parseSelector(selector), device(attributes));

describe("the selector language", () => {
  it("needs every term to hold", () => {
    const selector = "tag:warehouse board:orin-nano online:true jetpack:6*";
    expect(chooses(selector, { tags: ["warehouse", "line-3"] })).toBe(true);
    expect(chooses(selector, { tags: ["lab"] })).toBe(false);
    expect(chooses(selector, { tags: ["warehouse"], online: false })).toBe(false);
    expect(chooses(selector, { tags: ["warehouse"], jetpack: "5.1.2" })).toBe(false);
  });

  it("matches versions by release prefix, and wildcards as written", () => {
    expect(chooses("jetpack:6", { jetpack: "6" })).toBe(true);
    expect(chooses("jetpack:6", { jetpack: "6.2.1" })).toBe(true);
    expect(chooses("jetpack:6", { jetpack: "60.1" })).toBe(false);
    expect(chooses("l4t:36.4", { l4t: "36.4.3" })).toBe(true);
    expect(chooses("l4t:36.4", { l4t: "36.40.0" })).toBe(false);
    expect(chooses("id:cam-*", { id: "cam-17" })).toBe(true);
    expect(chooses("id:cam-*", { id: "robot-1" })).toBe(false);
  });

  it("takes alternatives, negation and *", () => {
    expect(chooses("board:nano,xavier-nx", { board: "xavier-nx" })).toBe(true);
    expect(chooses("board:nano,xavier-nx", { board: "orin-nano" })).toBe(false);
    expect(chooses("-tag:lab", { tags: ["lab"] })).toBe(false);
    expect(chooses("-tag:lab", { tags: [] })).toBe(true);
    expect(chooses("*", { online: false })).toBe(true);
  });

  it("does not choose a device by an attribute it never reported", () => {
    expect(chooses("board:*", { board: undefined })).toBe(false);
    expect(chooses("-board:nano", { board: undefined })).toBe(true);
  });

  it("canonicalises the text", () => {
    expect(parseSelector("  Tag:Warehouse   BOARD:Orin-Nano ").text).toBe("tag:warehouse board:orin-nano");
    expect(parseSelector("*").terms).toEqual([]);
  });

  it.each([
    ["", /empty; use \* to choose every device/],
    ["bord:nano", /term 1 "bord:nano": unknown key "bord" \(keys: id, tag, board/],
    ["tag:a warehouse", /term 2 "warehouse": expected key:value/],
    ["tag:", /tag needs a value/],
    ["tag:a,,b", /tag needs a value/],
    ["online:yes", /online takes true or false/],
    ["tag:wh$", /"wh\$" may hold only/],
    [`id:${"*a".repeat(25)}*b`, /has 52 characters; a value with \* may have at most 50/],
    ["* tag:a", /term 1 "\*": \* chooses every device and cannot be combined/],
    [`id:${Array(99).fill("a").join(",")}`, `The selector names 99 values; a selector may name at most ${MAX_SELECTOR_VALUES} values in all.`],
    [`jetpack:6 ${Array(MAX_SELECTOR_VALUES).fill("tag:a").join(" ")}`, `names ${MAX_SELECTOR_VALUES + 1} values; a selector may name at most ${MAX_SELECTOR_VALUES}`],
  ])("refuses %j with a clear error", (input, message) => {
    expect(() => parseSelector(input)).toThrow(SelectorError);
    expect(() => parseSelector(input)).toThrow(message);
  });

  it("takes as many values as a selector may name, counted over all its terms", () => {
    const values = Array.from({ length: MAX_SELECTOR_VALUES - 2 }, (_, i) => `cam-${i}`);
    expect(parseSelector(`id:${values.join(",")} online:true,false`).terms.flatMap((t) => t.values)).toHaveLength(MAX_SELECTOR_VALUES);
  });
});

describe("board slugs", () => {
  it.each([
    ["NVIDIA Jetson AGX Orin Developer Kit", "agx-orin"],
    ["NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super", "orin-nano"],
    ["NVIDIA Jetson Orin NX Engineering Reference Developer Kit", "orin-nx"],
    ["NVIDIA Jetson Xavier NX Developer Kit", "xavier-nx"],
    // The AGX Xavier developer kit's device tree says only this (JetPack 4 and 5).
    ["Jetson-AGX", "agx-xavier"],
    ["NVIDIA Jetson Nano Developer Kit", "nano"],
    ["NVIDIA Jetson TX2 NX Developer Kit", "tx2-nx"],
    ["Acme Robotics Carrier v2", "acme-robotics-carrier-v2"],
  ])("%s → %s", (model, slug) => {
    expect(boardSlug(model)).toBe(slug);
  });
});
