/** A mistake in the bridge's configuration or command line: printed alone (no stack), exit code 2. */
export class ConfigError extends Error {}
