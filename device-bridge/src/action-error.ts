import type { ErrorCode } from "@jetson/protocol";

/**
 * A failure the caller should read, with a code from the protocol. It lives below the
 * action layer so that the machine, container, AI and GPIO code can raise it too.
 */
export class ActionError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
