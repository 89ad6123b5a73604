import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/core/types.ts';
import { applyWaivers, createWaiverApplier, expiryInstant, hasExpired, type Waiver } from '../../src/compliance/waivers.ts';

const NOW = new Date('2026-06-01T12:00:00Z');

const waiver = (domain: string, checkId: string, expires = '2026-12-31', reason = 'accepted'): Waiver =>
  ({ domain, checkId, reason, owner: 'ops', expires });

function result(domain: string, checkId: string, status: CheckResult['status']): CheckResult {
  const base = { checkId, title: checkId, domain, promises: ['p'], startedAt: '2026-06-01T02:00:00.000Z', durationMs: 5, artifacts: [] };
  if (status === 'pass') return { ...base, status, summary: 'ok', evidence: { a: 1 } };
  if (status === 'error') return { ...base, status, summary: 'timeout', reason: 'timeout' };
  if (status === 'skip') return { ...base, status, summary: 'off', reason: 'disabled' };
  return { ...base, status, summary: `${status}!`, evidence: { header: null }, remediation: 'do better' };
}

describe('expiry', () => {
  it.each([
    ['2026-06-01', '2026-06-01T23:59:59.999Z', false],   // a bare date holds through that day, UTC
    ['2026-06-01', '2026-06-02T00:00:00.000Z', true],
    ['2026-06-01T12:00:00Z', '2026-06-01T11:59:59Z', false],
    ['2026-06-01T12:00:00Z', '2026-06-01T12:00:00Z', true],
    ['2026-02-30', '2020-01-01T00:00:00Z', true],        // not a real date: never an open-ended exception
    ['next week', '2020-01-01T00:00:00Z', true],
  ])('%s at %s: expired=%s', (expires, now, expired) => {
    expect(hasExpired(expires, new Date(now))).toBe(expired);
  });

  it('gives NaN for text that is not a date', () => {
    expect(expiryInstant('2026-13-01')).toBeNaN();
    expect(expiryInstant('2026-06-01')).toBe(Date.parse('2026-06-02T00:00:00Z'));
  });
});

describe('applyWaivers', () => {
  const results = [
    result('example.nl', 'http.hsts', 'fail'),
    result('www.example.nl', 'http.hsts', 'warn'),
    result('example.nl', 'tls.protocol-versions', 'error'),
    result('example.nl', 'https.available', 'pass'),
    result('other.nl', 'http.hsts', 'fail'),
  ];

  it('waives a matching fail or warn, keeping the verdict, evidence and remediation', () => {
    const { results: out, waivers } = applyWaivers(results, [waiver('*example.nl', 'http.*')], NOW);
    expect(out[0]).toEqual({
      ...results[0], status: 'waived', originalStatus: 'fail', waiver: { reason: 'accepted', owner: 'ops', expires: '2026-12-31' },
    });
    expect(out[1]).toMatchObject({ status: 'waived', originalStatus: 'warn', evidence: { header: null }, remediation: 'do better' });
    expect(out.slice(2)).toEqual(results.slice(2));
    expect(waivers).toEqual([{ domain: '*example.nl', checkId: 'http.*', reason: 'accepted', owner: 'ops', expires: '2026-12-31', state: 'active', matched: 2 }]);
  });

  it('never waives pass, skip or error: an error means we do not know what we would accept', () => {
    const { results: out, waivers } = applyWaivers(
      [results[2]!, results[3]!, result('example.nl', 'mail.dkim', 'skip')], [waiver('example.nl', '*')], NOW);
    expect(out.map((r) => r.status)).toEqual(['error', 'pass', 'skip']);
    expect(waivers[0]).toMatchObject({ state: 'unused', matched: 0 });
  });

  it('matches domains case-insensitively and globs only where asked', () => {
    const { results: out } = applyWaivers(results, [waiver('EXAMPLE.NL', 'http.hsts'), waiver('*.example.nl', 'http.hsts')], NOW);
    expect(out.map((r) => r.status)).toEqual(['waived', 'waived', 'error', 'pass', 'fail']);
  });

  it('does not apply an expired waiver, and reports what it would have covered', () => {
    const { results: out, waivers } = applyWaivers(results, [waiver('example.nl', 'http.hsts', '2026-05-31')], NOW);
    expect(out[0]!.status).toBe('fail');
    expect(waivers[0]).toMatchObject({ state: 'expired', matched: 1 });
  });

  it('uses the first matching waiver in config order; a later one that matched nothing else is unused', () => {
    const { results: out, waivers } = applyWaivers([results[0]!], [waiver('example.nl', 'http.hsts', '2026-12-31', 'first'), waiver('*', '*', '2026-12-31', 'second')], NOW);
    expect(out[0]).toMatchObject({ status: 'waived', waiver: { reason: 'first' } });
    expect(waivers.map((w) => w.state)).toEqual(['active', 'unused']);
  });

  it('falls through an expired waiver to a current one', () => {
    const { results: out, waivers } = applyWaivers([results[0]!], [waiver('example.nl', '*', '2026-01-01', 'old'), waiver('example.nl', '*', '2027-01-01', 'new')], NOW);
    expect(out[0]).toMatchObject({ status: 'waived', waiver: { reason: 'new' } });
    expect(waivers.map((w) => [w.state, w.matched])).toEqual([['expired', 1], ['active', 1]]);
  });

  it('leaves the input untouched and is idempotent', () => {
    const copy = structuredClone(results);
    const once = applyWaivers(results, [waiver('*', '*')], NOW);
    expect(results).toEqual(copy);
    expect(applyWaivers(once.results, [waiver('*', '*')], NOW).results).toEqual(once.results);
  });
});

describe('createWaiverApplier', () => {
  const results = [
    result('example.nl', 'http.hsts', 'fail'),
    result('example.nl', 'mail.dmarc', 'warn'),
    result('www.example.nl', 'http.hsts', 'warn'),
    result('other.nl', 'http.hsts', 'fail'),
  ];
  const waivers = [waiver('*example.nl', 'http.*'), waiver('example.nl', '*', '2026-01-01'), waiver('nobody.nl', '*')];

  it('gives, a domain at a time, the results and states of applying all at once', () => {
    const whole = applyWaivers(results, waivers, NOW);
    const applier = createWaiverApplier(waivers, NOW);
    const batched = [results.slice(0, 2), results.slice(2, 3), results.slice(3)].flatMap((batch) => applier.apply(batch));
    expect(batched).toEqual(whole.results);
    expect(applier.states()).toEqual(whole.waivers);
    expect(applier.states().map((w) => [w.state, w.matched])).toEqual([['active', 2], ['expired', 2], ['unused', 0]]);
  });

  it('counts as it goes: states() after the first domain describes that domain only', () => {
    const applier = createWaiverApplier(waivers, NOW);
    applier.apply(results.slice(0, 1));
    expect(applier.states().map((w) => w.matched)).toEqual([1, 1, 0]);
  });
});
