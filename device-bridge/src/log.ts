/** Lines on standard error (journald collects them on a device), with lazy debug text so chatty paths stay cheap. */
export interface Logger {
  debug(message: () => string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(namespace: string, debugEnabled = process.env.JETSON_BRIDGE_DEBUG === "1"): Logger {
  const write = (level: string, message: string) => process.stderr.write(`${level} [${namespace}] ${message}\n`);
  return {
    debug: (message) => {
      if (debugEnabled) write("debug", message());
    },
    info: (message) => write("info", message),
    warn: (message) => write("warn", message),
    error: (message) => write("error", message),
  };
}
