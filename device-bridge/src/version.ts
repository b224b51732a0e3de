import manifest from "../package.json" with { type: "json" };

/** Set by `build.ts --version` (a release's own version); absent, the package's version stands. */
declare const JETSON_BRIDGE_BUILD_VERSION: string | undefined;

export const BRIDGE_VERSION: string = typeof JETSON_BRIDGE_BUILD_VERSION === "string" ? JETSON_BRIDGE_BUILD_VERSION : manifest.version;
