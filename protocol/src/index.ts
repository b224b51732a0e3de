export * from "./errors.js";
export * from "./envelopes.js";
export * from "./telemetry.js";
export * from "./topics.js";
export * from "./fleet.js";
export * from "./security.js";
export * from "./catalogue/index.js";
export * from "./hardware.js";
