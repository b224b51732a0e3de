// The jetson_clocks command lines the bridge runs as root. The sudoers file names exactly these
// (host/privileged.ts), so the actions and the file build them the same way: here.

/**
 * Where jetson_clocks keeps the settings clocks.lock saves and clocks.restore brings back. Root
 * reads this file and writes the sysfs paths it names, so it lives in a folder only root may write
 * (made by provisioning, root:root 0755), never in the bridge's own state folder.
 */
export const SAVED_CLOCKS_DIR = "/var/lib/jetson-bridge-clocks";
export const SAVED_CLOCKS_FILE = `${SAVED_CLOCKS_DIR}/jetson_clocks.conf`;

export const CLOCKS_SHOW: readonly string[] = ["--show"];
export const CLOCKS_LOCK: readonly string[] = [];
export const CLOCKS_STORE: readonly string[] = ["--store", SAVED_CLOCKS_FILE];
export const CLOCKS_RESTORE: readonly string[] = ["--restore", SAVED_CLOCKS_FILE];
