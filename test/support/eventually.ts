/**
 * Reads until `ok` holds or `timeoutMs` passes, then answers the last value read, so that the
 * caller's assertion shows what was there either way: waits for the event, not a guessed delay.
 */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Until an outside event makes `condition` true; throws when it has not after `timeoutMs`. */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  if (!(await eventually(condition, (met) => met, timeoutMs))) throw new Error("condition not met in time");
}
