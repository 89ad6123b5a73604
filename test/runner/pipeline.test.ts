import { describe, expect, it } from 'vitest';
import type { DomainRecord } from '../../src/core/domain-record.ts';
import { defaultTarget } from '../../src/config/defaults.ts';
import { runPipeline, type DomainJob } from '../../src/runner/pipeline.ts';
import { KeyedSemaphores } from '../../src/runner/workers/semaphores.ts';
import { FactExchange } from '../../src/runner/workers/fact-exchange.ts';

const jobs = (n: number): DomainJob[] => Array.from({ length: n }, (_, index) => ({ index, target: defaultTarget(`d${index}.test`) }));
const record = (job: DomainJob): DomainRecord => ({
  index: job.index, domain: job.target.domain, startedAt: '', finishedAt: '', complete: true, results: [], artifacts: {}, facts: [],
});
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runPipeline', () => {
  it('keeps at most `window` domains in flight and hands over every record once', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await runPipeline(jobs(50), {
      window: 7, signal: new AbortController().signal,
      run: async (job) => { inFlight++; peak = Math.max(peak, inFlight); await tick(job.index % 3); inFlight--; return record(job); },
      onRecord: (r) => { seen.push(r.index); },
    });
    expect(peak).toBe(7);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('reads the job list lazily: a slow consumer holds the scan back', async () => {
    // 200 jobs, each handed over 5 ms after the previous one: ~1 s in all, long enough to see the scan held back.
    const total = 200;
    let started = 0;
    const lazy = function* () { for (const job of jobs(total)) { started++; yield job; } };
    let handed = 0;
    const done = runPipeline(lazy(), {
      window: 4, signal: new AbortController().signal,
      run: async (job) => record(job),
      onRecord: async () => { handed++; await tick(5); },
    });
    await tick(30);
    // Each record waits for the previous one's hand-over; nothing runs far ahead of the consumer.
    expect(started).toBeLessThanOrEqual(handed + 4 + 1);
    expect(started).toBeLessThan(total);
    await done;
    expect(handed).toBe(total);
  });

  it('starts nothing after an abort and still hands over the domains in flight', async () => {
    const controller = new AbortController();
    const handed: number[] = [];
    await runPipeline(jobs(100), {
      window: 5, signal: controller.signal,
      run: async (job) => { if (job.index === 2) controller.abort(); await tick(5); return record(job); },
      onRecord: (r) => { handed.push(r.index); },
    });
    // Job 2 aborts while the window is being filled: 3 and 4 are never started.
    expect(handed.sort((a, b) => a - b)).toEqual([0, 1, 2]);
  });

  it('rejects when the consumer fails (a journal that cannot be written), after the domains in flight', async () => {
    let finished = 0;
    await expect(runPipeline(jobs(20), {
      window: 3, signal: new AbortController().signal,
      run: async (job) => { await tick(2); finished++; return record(job); },
      onRecord: (r) => { if (r.index === 4) throw new Error('ENOSPC'); },
    })).rejects.toThrow('ENOSPC');
    expect(finished).toBeLessThan(20);
  });
});

describe('KeyedSemaphores', () => {
  it('grants at most the limit per key, in request order, and frees the slots of a holder that is gone', () => {
    const s = new KeyedSemaphores<string>();
    const granted: string[] = [];
    for (const who of ['a', 'b', 'c', 'd']) s.acquire('1.2.3.4:443', 2, who, () => granted.push(who));
    s.acquire('5.6.7.8:443', 2, 'c', () => granted.push('c2'));
    expect(granted).toEqual(['a', 'b', 'c2']);
    s.release('1.2.3.4:443', 'a');
    expect(granted).toEqual(['a', 'b', 'c2', 'c']);
    s.releaseAll('b');
    expect(granted).toEqual(['a', 'b', 'c2', 'c', 'd']);
    expect(s.peak).toBe(2);
    s.release('1.2.3.4:443', 'c');
    s.release('1.2.3.4:443', 'd');
    s.release('5.6.7.8:443', 'c');
    expect(s.size).toBe(0);
  });
});

describe('FactExchange', () => {
  const fact = (key: string) => ({ key, kind: 'dns', value: key });
  it('lets the first claimant load, answers later ones with its fact, and hands a dead loader\'s key on', () => {
    const x = new FactExchange<string>(2);
    const answers: string[] = [];
    x.claim('k', 'w1', (a) => answers.push(`w1:${'load' in a ? 'load' : 'fact'}`));
    x.claim('k', 'w2', (a) => answers.push(`w2:${'load' in a ? 'load' : 'fact'}`));
    x.publish(fact('k'));
    x.claim('k', 'w3', (a) => answers.push(`w3:${'load' in a ? 'load' : 'fact'}`));
    expect(answers).toEqual(['w1:load', 'w2:fact', 'w3:fact']);
    x.claim('m', 'w1', (a) => answers.push(`w1:${'load' in a ? 'load' : 'fact'}`));
    x.claim('m', 'w2', (a) => answers.push(`w2:${'load' in a ? 'load' : 'fact'}`));
    x.holderGone('w1');
    expect(answers.slice(3)).toEqual(['w1:load', 'w2:load']);
  });
  it('keeps at most `capacity` published facts', () => {
    const x = new FactExchange<string>(2);
    for (const k of ['a', 'b', 'c']) { x.claim(k, 'w', () => undefined); x.publish(fact(k)); }
    const answers: string[] = [];
    x.claim('a', 'w', (a) => answers.push('load' in a ? 'load' : 'fact'));
    x.claim('c', 'w', (a) => answers.push('load' in a ? 'load' : 'fact'));
    expect(answers).toEqual(['load', 'fact']);
  });
  it('keeps run-lifetime facts (an MX host\'s) beyond `capacity`, in recorded form within a byte budget', () => {
    const x = new FactExchange<string>(2);
    const mx = { key: 'smtp:mx', kind: 'smtp', value: { banner: '220 mx', bytes: { $bytes: 'AAE=' } } };
    x.claim(mx.key, 'w1', () => undefined);
    x.publish(mx, 'run');
    for (const k of ['a', 'b', 'c', 'd', 'e']) { x.claim(k, 'w1', () => undefined); x.publish(fact(k)); }
    const answers: unknown[] = [];
    x.claim('smtp:mx', 'w2', (a) => answers.push('fact' in a ? a.fact : 'load'));
    x.claim('a', 'w2', (a) => answers.push('fact' in a ? a.fact : 'load'));
    expect(answers).toEqual([mx, 'load']);
    // ...but not a failure in the conversation (a 421 may be gone a minute later), as the probe cache does
    const busy = { key: 'smtp:busy', kind: 'smtp', error: { name: 'ProbeError', message: '421', reason: 'refused', stage: 'exchange' as const } };
    x.claim(busy.key, 'w1', () => undefined);
    x.publish(busy, 'run');
    for (const k of ['f', 'g', 'h']) { x.claim(k, 'w1', () => undefined); x.publish(fact(k)); }
    x.claim('smtp:busy', 'w2', (a) => answers.push('fact' in a ? a.fact : 'load'));
    expect(answers.at(-1)).toBe('load');
  });
});
