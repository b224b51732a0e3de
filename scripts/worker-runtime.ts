/**
 * Tells apart the two workerd processes `wrangler dev` starts: the runtime that runs the Worker
 * and its Durable Objects is the one given an inspector address; the other is wrangler's own
 * proxy, which every request and WebSocket passes through locally (and which production has not).
 */
export const WORKER_RUNTIME = (commandLine: string): boolean => commandLine.includes("--inspector-addr");

export const WRANGLER_PROXY = (commandLine: string): boolean => !WORKER_RUNTIME(commandLine);
