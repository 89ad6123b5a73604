/**
 * `request`'s answer, or `late` once `ms` have passed. ioredis holds a command while it reconnects (a Redis restarted
 * mid-run is waited for, which is what a run wants) and gives up only after its own retries, or never on a connection
 * made for BullMQ's blocking commands; a caller that must not wait longer than `ms` races it. The request itself goes
 * on: the caller undoes a late success if it must (a slot granted after all is given back).
 */
export async function answerWithin<T>(request: Promise<T>, ms: number): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => { timer = setTimeout(resolve, Math.max(0, ms), 'late'); });
  try {
    return await Promise.race([request, late]);
  } finally {
    clearTimeout(timer);
  }
}
