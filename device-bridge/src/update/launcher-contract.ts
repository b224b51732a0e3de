// What the launcher and the bridge it runs agree on. Its own module: the launcher loads nothing of the bridge.
// It must not change: devices keep the launcher they were provisioned with (an update never replaces it),
// and launchers installed before this one run each release as a child process rather than in their own,
// so every release has to work under both, and this launcher has to run releases built before it.

/** How a bridge asks to be started again on the new `current` (EX_TEMPFAIL: any other non-zero code is a failure). */
export const UPDATE_EXIT_CODE = 75;
/** Set by the launcher for the bridge it runs: the release folder it runs from. */
export const RELEASES_DIR_VARIABLE = "JETSON_BRIDGE_RELEASES";
/**
 * Set by the launcher for the release it runs: the installed bundle it runs from. That root-owned
 * file stays the helper sudo runs, so an update never changes what runs as root.
 */
export const HELPER_SCRIPT_VARIABLE = "JETSON_BRIDGE_HELPER_SCRIPT";
