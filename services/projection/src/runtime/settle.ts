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
