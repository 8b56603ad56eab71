/**
 * Waits for every one, then throws the first failure or returns every result: none is left
 * running (on a connection about to be released, in a generation about to be dropped) when the
 * caller goes on.
 */
export async function allSettled<T>(work: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/**
 * Works through `items` in order, `lanes` at a time: each lane (its own connection, say) takes
 * the next item with `next()` until there is none. After a failure `next()` gives no more: the
 * other lanes finish the item they are on and stop. Returns, or throws the first failure, once
 * every lane has ended (`allSettled`).
 */
export async function inLanes<T>(
  items: readonly T[],
  lanes: number,
  lane: (next: () => T | undefined, index: number) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  let failed = false;
  const next = () => (failed ? undefined : queue.shift());
  await allSettled(
    Array.from({ length: Math.min(lanes, queue.length) }, (_, i) =>
      lane(next, i).catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    ),
  );
}
