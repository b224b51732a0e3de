/**
 * What a tool that installs the bridge on a device over SSH (jetson-fleet provision) uses of it:
 * the same SSH host port as gateway mode, the configuration schema, the sudoers generator,
 * the JetPack release parser and enrollment.
 */
export { type BridgeConfig, BridgeConfigSchema, configProblems } from "./config.js";
export { DEFAULT_CONFIG_FILE } from "./default-config-file.js";
export { redeemEnrollmentCode } from "./enroll.js";
export { HostPortError, type HostPort, type RunOptions } from "./host/port.js";
export { machineSudoers, rootOnlyFolders } from "./host/privileged.js";
export { HostKeyMismatchError, hostKeyFingerprint, SshConnection, type SshTarget } from "./host/ssh-connection.js";
export { SshHost } from "./host/ssh-host.js";
export { parseNvTegraRelease } from "./parsers/nv-tegra-release.js";
export { BRIDGE_VERSION } from "./version.js";
export { renderReadWritePaths } from "./host/unit-sandbox.js";
