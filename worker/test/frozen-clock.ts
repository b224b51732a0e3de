/**
 * Runs `body` with Date.now stopped. The Durable Objects run in the test's isolate,
 * so a rate limiter cannot refill: whether a limit trips no longer depends on how
 * fast this machine answers.
 */
export async function withFrozenClock<T>(body: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  const frozen = realNow();
  Date.now = () => frozen;
  try {
    return await body();
  } finally {
    Date.now = realNow;
  }
}

/** Runs `body` with Date.now under its control, from `start` (now by default): time moves only when it calls `advance`. */
export async function withControlledClock<T>(body: (advance: (ms: number) => void) => Promise<T>, start = Date.now()): Promise<T> {
  const realNow = Date.now;
  let now = start;
  Date.now = () => now;
  try {
    return await body((ms) => {
      now += ms;
    });
  } finally {
    Date.now = realNow;
  }
}
