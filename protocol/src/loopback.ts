/** 127.0.0.0/8, ::1 and localhost, as the URL parser writes them (it turns 127.1 into 127.0.0.1). */
const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;

/**
 * Whether a URL's hostname (as `URL.hostname` writes it) names this machine: the local stack and
 * tests, never a deployment. The one rule for cleartext URLs (devices, CLI) and for which pages and
 * client documents a loopback Worker trusts.
 */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOST.test(hostname);
}
