/** The bridge's subcommand that sudo runs as root (host/privileged-helper.ts). */
export const HELPER_SUBCOMMAND = "privileged";
