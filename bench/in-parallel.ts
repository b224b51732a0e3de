/** Runs `run` on every item, `lanes` at a time, and answers the results in the items' order. */
export async function inParallel<T, R>(items: readonly T[], lanes: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await run(items[i] as T);
    }),
  );
  return results;
}
