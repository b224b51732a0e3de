export * from "./names.js";
export * from "./payloads.js";
