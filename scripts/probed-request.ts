/** How a request went that had no answer after the wait: the same request was sent again beside it (ms). */
export interface Held {
  /** From sending the first to sending the second. */
  waitedMs: number;
  /** From sending the second to its answer. */
  secondMs: number;
  /** From sending the second to the first's answer. */
  firstMs: number;
  /** Why the second failed, if it did. */
  secondError?: string;
}

export interface Probed<T> {
  /** The first request's answer (or its failure). */
  answer: Promise<T>;
  /** From sending the first to its answer. */
  tookMs: number;
  /** Set when it had not answered after `afterMs`. */
  held?: Held;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `request()`, and if it has not answered after `afterMs`, the same request again beside it:
 * a Worker busy elsewhere answers neither soon; a request held until something else arrives
 * answers just after the second one does. Resolves once the first has answered.
 */
export async function probedRequest<T>(request: () => Promise<T>, afterMs: number): Promise<Probed<T>> {
  const sent = Date.now();
  const answer = request();
  const settledAt = () => Date.now();
  const answered = answer.then(settledAt, settledAt);
  const early = await Promise.race([answered, sleep(afterMs).then(() => undefined)]);
  if (early !== undefined) return { answer, tookMs: early - sent };
  const secondSent = Date.now();
  let secondError: string | undefined;
  const second = await request().then(settledAt, (error: Error) => {
    secondError = error.message;
    return Date.now();
  });
  const first = await answered;
  return { answer, tookMs: first - sent, held: { waitedMs: secondSent - sent, secondMs: second - secondSent, firstMs: first - secondSent, secondError } };
}
