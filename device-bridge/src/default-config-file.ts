/** Where `enroll` writes the device's credential and `run` reads its configuration unless told otherwise. */
export const DEFAULT_CONFIG_FILE = "/etc/jetson-bridge/config.json";
