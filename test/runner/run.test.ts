import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { defineCheck, pass, type Check } from '../../src/core/check.ts';
import { ProbeError } from '../../src/core/errors.ts';
import { defaultTarget, DEFAULT_SETTINGS } from '../../src/config/defaults.ts';
import { CHECK_WAIT_CAP_FACTOR, runDomain } from '../../src/runner/run.ts';
import type { ProbeTracker } from '../../src/runner/probe-kinds/kind.ts';
import type { Probes } from '../../src/probes/types.ts';
import type { Target } from '../../src/core/types.ts';
import type { DomainRecord } from '../../src/core/domain-record.ts';
import { fakeProbes, zone } from '../support/fake-probes.ts';

type RunDeps = {
  targets: Target[]; checks: Check[]; probesFor: (track: ProbeTracker) => Probes; checkTimeoutMs: number; signal: AbortSignal;
};

/** Every target through runDomain, one after another; the records' results in target then check order. */
async function runRecords(d: RunDeps): Promise<DomainRecord[]> {
  const records: DomainRecord[] = [];
  for (const [index, target] of d.targets.entries()) {
    records.push(await runDomain({ index, target }, {
      checks: d.checks, settings: DEFAULT_SETTINGS, checkTimeoutMs: d.checkTimeoutMs, signal: d.signal, log: pino({ level: 'silent' }),
      scope: { probesFor: d.probesFor, finish: () => ({ artifacts: { [`scope:${target.domain}`]: 1 }, facts: [] }) },
    }));
  }
  return records;
}
const runChecks = async (d: RunDeps) => (await runRecords(d)).flatMap((r) => r.results);

const check = (id: string, run: Check['run'], scope: Check['scope'] = 'domain'): Check =>
  defineCheck({ id, title: id, promises: ['p'], scope, needs: ['dns'], remediation: 'fix it, as documented', run });

function deps(checks: Check[], overrides: Partial<RunDeps> = {}): RunDeps {
  return {
    targets: [defaultTarget('a.example'), { ...defaultTarget('b.example'), mail: false }],
    checks, probesFor: () => fakeProbes({}), checkTimeoutMs: 1_000, signal: new AbortController().signal, ...overrides,
  };
}

describe('runDomain', () => {
  it('returns one result per domain and check, in target then check order', async () => {
    const slow = check('t.slow', async () => { await new Promise((r) => setTimeout(r, 20)); return pass('slow', {}); });
    const fast = check('t.fast', async () => pass('fast', {}));
    const results = await runChecks(deps([slow, fast]));
    expect(results.map((r) => `${r.domain} ${r.checkId}`)).toEqual(['a.example t.slow', 'a.example t.fast', 'b.example t.slow', 'b.example t.fast']);
    expect(results[0]).toMatchObject({ status: 'pass', title: 't.slow', promises: ['p'] });
  });

  it('turns a ProbeError into error with its reason, and a crash into error/internal', async () => {
    const results = await runChecks(deps([
      check('t.probe', async () => { throw new ProbeError('dns-failure', 'resolver', 'SERVFAIL'); }),
      check('t.crash', async () => { throw new TypeError('boom'); }),
      check('t.malformed', async () => ({ nonsense: true }) as never),
    ], { targets: [defaultTarget('a.example')] }));
    expect(results.map((r) => [r.status, r.status === 'error' ? r.reason : null])).toEqual([
      ['error', 'dns-failure'], ['error', 'internal'], ['error', 'internal'],
    ]);
    expect(results[1]?.summary).toContain('boom');
  });

  it('gives a check that overruns its budget error/timeout, and goes on', async () => {
    const hang = check('t.hang', () => new Promise(() => undefined));
    const ok = check('t.ok', async () => pass('fine', {}));
    const results = await runChecks(deps([hang, ok], { checkTimeoutMs: 30, targets: [defaultTarget('a.example')] }));
    expect(results.map((r) => r.status)).toEqual(['error', 'pass']);
    expect(results[0]).toMatchObject({ reason: 'timeout' });
  });

  // The budget is the check's own time: a probe answer in line behind other domains' connections (an MX address
  // takes one at a time) is the run's queue, not the check's slowness. A probe that never answers still ends at the cap.
  it('does not count the wait for a probe answer against the check, up to the cap', async () => {
    const spfZone = zone({ 'a.example': { TXT: ['v=spf1 -all'] } });
    const slowAnswer = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
    const probesFor = (track: ProbeTracker) => fakeProbes({
      dns: (n, t) => {
        const answer = n === 'never.example' ? new Promise<never>(() => undefined) : slowAnswer(150, null).then(() => spfZone(n, t));
        track(`dns:${t}:${n}`, answer);
        return answer;
      },
    });
    const waits = check('t.waits', async ({ probes, target }) => pass((await probes.dns(target.domain, 'TXT')).records[0]!, {}));
    const waitsThenHangs = check('t.waits-then-hangs', async ({ probes, target }) => {
      await probes.dns(target.domain, 'TXT');
      return new Promise<never>(() => undefined);
    });
    const waitsForever = check('t.waits-forever', async ({ probes }) => pass(String(await probes.dns('never.example', 'TXT')), {}));
    const started = performance.now();
    const results = await runChecks(deps([waits, waitsThenHangs, waitsForever], { checkTimeoutMs: 40, probesFor, targets: [defaultTarget('a.example')] }));
    const elapsed = performance.now() - started;
    expect(results.map((r) => [r.checkId, r.status, 'reason' in r ? r.reason : undefined])).toEqual([
      ['t.waits', 'pass', undefined], ['t.waits-then-hangs', 'error', 'timeout'], ['t.waits-forever', 'error', 'timeout'],
    ]);
    expect(results[0]!.summary).toBe('v=spf1 -all'); // answered after 150 ms, over three times the check's 40
    expect(results[1]!.summary).toContain('no answer within 40 ms');
    expect(results[1]!.durationMs).toBeGreaterThanOrEqual(150 + 40 - 5); // its own 40 ms counted from the answer
    expect(results[2]!.summary).toContain(`no answer within ${40 * CHECK_WAIT_CAP_FACTOR} ms`);
    expect(elapsed).toBeGreaterThanOrEqual(40 * CHECK_WAIT_CAP_FACTOR - 5);
  });

  it('skips a mail check for a domain with mail off, without running it', async () => {
    let runs = 0;
    const mail = check('t.mail', async () => { runs++; return pass('ok', {}); }, 'mail');
    const results = await runChecks(deps([mail]));
    expect(results.map((r) => r.status)).toEqual(['pass', 'skip']);
    expect(results[1]).toMatchObject({ reason: 'not-applicable' });
    expect(runs).toBe(1);
  });

  it('marks unfinished checks as interrupted when the run is aborted', async () => {
    const controller = new AbortController();
    const hang = check('t.hang', () => { controller.abort(); return new Promise(() => undefined); });
    const results = await runChecks(deps([hang], { signal: controller.signal, targets: [defaultTarget('a.example')] }));
    expect(results[0]).toMatchObject({ status: 'error', reason: 'interrupted', summary: 'not finished: the scan was interrupted' });
  });

  it('records the artifact keys a check used', async () => {
    const used = check('t.used', async ({ probes }) => { await probes.dns('a.example', 'TXT').catch(() => null); return pass('ok', {}); });
    const results = await runChecks(deps([used], {
      targets: [defaultTarget('a.example')],
      probesFor: (track) => fakeProbes({ dns: (n, t) => { const answer = Promise.reject(new Error('x')); track(`dns:${t}:${n}`, answer); return answer; } }),
    }));
    expect(results[0]?.artifacts).toEqual(['dns:TXT:a.example']);
  });

  it('returns one record per domain with its place, the scope\'s artifacts, and whether it finished', async () => {
    const records = await runRecords(deps([check('t.ok', async () => pass('ok', {}))]));
    expect(records.map((r) => [r.index, r.domain, r.complete, r.artifacts])).toEqual([
      [0, 'a.example', true, { 'scope:a.example': 1 }], [1, 'b.example', true, { 'scope:b.example': 1 }],
    ]);
    const controller = new AbortController();
    const stopped = await runRecords(deps([check('t.stop', async () => { controller.abort(); return pass('ok', {}); })], {
      signal: controller.signal, targets: [defaultTarget('a.example')],
    }));
    expect(stopped[0]?.complete).toBe(false);
  });
});

describe('malformed plugin outcomes', () => {
  it.each([
    ['BigInt evidence', { status: 'pass', summary: 'x', evidence: { n: 1n } }, 'evidence is not plain JSON'],
    ['fail without remediation', { status: 'fail', summary: 'x', evidence: {} }, 'fail without remediation'],
    ['unknown reason', { status: 'error', summary: 'x', reason: 'bored' }, 'unknown reason "bored"'],
    ['unknown status', { status: 'maybe', summary: 'x' }, 'unknown status "maybe"'],
  ])('%s -> error/internal', async (_name, returned, why) => {
    const results = await runChecks(deps([check('t.bad', async () => returned as never)], { targets: [defaultTarget('a.example')] }));
    expect(results[0]).toMatchObject({ status: 'error', reason: 'internal' });
    expect(results[0]?.summary).toContain(why);
  });

  it('does not start queued checks once the run is interrupted', async () => {
    const controller = new AbortController();
    controller.abort();
    let started = 0;
    const results = await runChecks(deps([check('t.x', async () => { started++; return pass('x', {}); })], { signal: controller.signal }));
    expect(started).toBe(0);
    expect(results.every((r) => r.status === 'error' && r.summary.includes('interrupted'))).toBe(true);
  });
});
