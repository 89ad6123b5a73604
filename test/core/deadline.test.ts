import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { checkDeadline, deadline, withDeadline } from '../../src/core/deadline.ts';
import { ProbeError } from '../../src/core/errors.ts';

// The deadline makes its AbortSignal only when read (src/core/deadline.ts): whenever it is read, it must say what an
// eagerly made one would.
describe('deadline', () => {
  it('race rejects with a timeout after ms; a signal read afterwards is already aborted with that reason', async () => {
    const d = deadline(new AbortController().signal, 20, 'check x');
    const outcome = d.race(new Promise(() => undefined)).catch((err: unknown) => err);
    const err = await outcome;
    expect(err).toBeInstanceOf(ProbeError);
    expect((err as ProbeError).reason).toBe('timeout');
    expect((err as Error).message).toContain('no answer within 20 ms');
    expect(d.signal.aborted).toBe(true);
    expect(d.signal.reason).toBe(err);
    d.dispose();
  });

  it('a signal read before expiry fires its abort event once, with the same reason race rejects with', async () => {
    const d = deadline(new AbortController().signal, 20, 'probe');
    const onAbort = vi.fn();
    d.signal.addEventListener('abort', onAbort);
    const err = await d.race(sleep(5_000).then(() => 'late')).catch((e: unknown) => e);
    expect(onAbort).toHaveBeenCalledTimes(1);
    expect(d.signal.reason).toBe(err);
    d.dispose();
  });

  it('follows the parent: race rejects with its reason, and signals read before or after are aborted', async () => {
    const parent = new AbortController();
    const early = deadline(parent.signal, 10_000, 'early');
    const earlySignal = early.signal;
    const late = deadline(parent.signal, 10_000, 'late');
    const racing = late.race(new Promise(() => undefined)).catch((e: unknown) => e);
    const stop = new Error('stopped');
    parent.abort(stop);
    expect(await racing).toBe(stop);
    expect(earlySignal.reason).toBe(stop);
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe(stop);
    const after = deadline(parent.signal, 10_000, 'after');
    expect(after.signal.reason).toBe(stop);
    await expect(after.race(Promise.resolve(1))).rejects.toBe(stop);
    for (const d of [early, late, after]) d.dispose();
  });

  it('race passes the work through; a disposed deadline never aborts', async () => {
    const d = deadline(new AbortController().signal, 20, 'x');
    await expect(d.race(Promise.resolve('value'))).resolves.toBe('value');
    const boom = new Error('boom');
    await expect(d.race(Promise.reject(boom))).rejects.toBe(boom);
    d.dispose();
    await sleep(40);
    expect(d.signal.aborted).toBe(false);
  });

  it('withDeadline does not start work under a stopped parent, and bounds work that never ends', async () => {
    const parent = new AbortController();
    parent.abort(new ProbeError('timeout', 'run', 'interrupted'));
    const work = vi.fn(async () => 'ran');
    await expect(withDeadline(parent.signal, 1_000, 'dns', work)).rejects.toThrow('interrupted');
    expect(work).not.toHaveBeenCalled();
    await expect(withDeadline(new AbortController().signal, 20, 'dns A x', () => new Promise(() => undefined))).rejects.toThrow('no answer within 20 ms');
  });
});

// A check's deadline counts its own time only (src/core/deadline.ts): waits for probe answers are the run's queue.
describe('checkDeadline', () => {
  const settleAt = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const failureOf = async (d: ReturnType<typeof checkDeadline>) => {
    const err = await d.race(new Promise(() => undefined)).catch((e: unknown) => e);
    d.dispose();
    return err as ProbeError;
  };

  it('overlapping waits count once; the own time runs on from the last answer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const d = checkDeadline(new AbortController().signal, 60, 10_000, 'check x');
      d.waitFor(settleAt(100)); // waits from 0 to 150 ms, in all
      await vi.advanceTimersByTimeAsync(50);
      d.waitFor(settleAt(100));
      const failure = failureOf(d);
      await vi.advanceTimersByTimeAsync(159);
      expect(d.signal.aborted).toBe(false); // at 209 ms: 150 ms waited, 59 ms its own
      await vi.advanceTimersByTimeAsync(2);
      const err = await failure;
      expect(err.reason).toBe('timeout');
      expect(err.message).toBe('check x: no answer within 60 ms');
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends at the cap a check that waits for ever, and says how long it waited', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const d = checkDeadline(new AbortController().signal, 60, 5_000, 'check x');
      d.waitFor(new Promise(() => undefined));
      const failure = failureOf(d);
      await vi.advanceTimersByTimeAsync(4_990);
      expect(d.signal.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(20);
      expect((await failure).message).toBe('check x: no answer within 5000 ms, 5 s of them waiting for probe answers');
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts every millisecond when nothing is waited for, and says what waiting it did not count', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const quiet = checkDeadline(new AbortController().signal, 60, 5_000, 'check x');
      const quietFailure = failureOf(quiet);
      await vi.advanceTimersByTimeAsync(61);
      expect((await quietFailure).message).toBe('check x: no answer within 60 ms');
      const waited = checkDeadline(new AbortController().signal, 60, 5_000, 'check y');
      waited.waitFor(settleAt(2_000));
      const waitedFailure = failureOf(waited);
      await vi.advanceTimersByTimeAsync(2_061);
      expect((await waitedFailure).message).toBe('check y: no answer within 60 ms (and 2 s waiting for probe answers, not counted)');
    } finally {
      vi.useRealTimers();
    }
  });
});
