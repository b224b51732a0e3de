// What the launcher and the bridge it starts agree on. Its own module: the launcher loads nothing of the bridge.

/** How a bridge asks its launcher to start the new `current` (EX_TEMPFAIL: any other code is a failure to the launcher). */
export const UPDATE_EXIT_CODE = 75;
/** Set by the launcher for the bridge it starts: the release folder it runs from. */
export const RELEASES_DIR_VARIABLE = "JETSON_BRIDGE_RELEASES";
/**
 * Set by the launcher for the release it starts: the installed bundle it runs from. That root-owned
 * file stays the helper sudo runs, so an update never changes what runs as root.
 */
export const HELPER_SCRIPT_VARIABLE = "JETSON_BRIDGE_HELPER_SCRIPT";
