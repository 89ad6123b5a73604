import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/core/types.ts';
import type { Catalogue, PromiseDefinition } from '../../src/compliance/catalogue.ts';
import {
  attestationProblems, automatedState, createPromiseRollup, createStatusTally, manualState, rollupPromises, summarizeResults,
} from '../../src/compliance/rollup.ts';
import type { Attestation, ReportResult, ReportStatus } from '../../reports/types.ts';

const NOW = new Date('2026-06-01T12:00:00Z');

const counts = (partial: Partial<Record<ReportStatus, number>>): Record<ReportStatus, number> =>
  ({ pass: 0, warn: 0, fail: 0, error: 0, skip: 0, waived: 0, ...partial });

const attest = (expires: string, by = 'auditor'): Attestation =>
  ({ promiseId: 'm', by, date: '2026-01-01', evidenceUrl: 'https://evidence.example/x', expires });

function result(checkId: string, status: ReportStatus, promises: readonly string[], domain = 'example.nl'): ReportResult {
  const base = { checkId, title: checkId, domain, promises, startedAt: '2026-06-01T02:00:00.000Z', durationMs: 1, artifacts: [] };
  switch (status) {
    case 'pass': return { ...base, status, summary: 'ok', evidence: {} };
    case 'warn': case 'fail': return { ...base, status, summary: status, evidence: {}, remediation: 'fix it' } as CheckResult;
    case 'error': return { ...base, status, summary: 'timed out', reason: 'timeout' };
    case 'skip': return { ...base, status, summary: 'n/a', reason: 'not-applicable' };
    case 'waived': return {
      ...base, status, originalStatus: 'fail', summary: 'accepted', evidence: {}, remediation: 'fix it',
      waiver: { reason: 'r', owner: 'o', expires: '2026-12-31' },
    };
  }
}

describe('automatedState', () => {
  it.each([
    [{}, 'not-assessed'],
    [{ skip: 3 }, 'not-assessed'],
    [{ pass: 2, skip: 1 }, 'met'],
    [{ pass: 2, warn: 1 }, 'met-with-warnings'],
    [{ pass: 2, waived: 1 }, 'met-with-warnings'],         // an accepted exception stays visible
    [{ pass: 2, error: 1 }, 'not-verified'],
    [{ pass: 2, warn: 1, error: 1 }, 'not-verified'],
    [{ pass: 2, fail: 1 }, 'not-met'],
    [{ fail: 1, error: 5 }, 'not-met'],                    // a fail stands even where other results are inconclusive
    [{ waived: 1, error: 1 }, 'not-verified'],
  ] as const)('%o -> %s', (partial, state) => {
    expect(automatedState(counts(partial))).toBe(state);
  });
});

describe('manualState', () => {
  it.each([
    ['no attestation', [], {}, 'unattested'],
    ['current attestation', [attest('2026-12-31')], {}, 'attested'],
    ['valid through its expiry date (UTC)', [attest('2026-06-01')], {}, 'attested'],
    ['expired the day before', [attest('2026-05-31')], {}, 'attestation-expired'],
    ['unreadable expiry counts as expired', [attest('soon')], {}, 'attestation-expired'],
    ['a current one among lapsed ones', [attest('2025-01-01'), attest('2027-01-01')], {}, 'attested'],
    ['a failing check disproves an attestation', [attest('2026-12-31')], { fail: 1 }, 'not-met'],
    ['errors and warnings do not', [attest('2026-12-31')], { error: 1, warn: 1 }, 'attested'],
  ] as const)('%s', (_name, attestations, partial, state) => {
    expect(manualState(counts(partial), attestations, NOW).state).toBe(state);
  });

  it('reports the attestation that counts: the current one valid longest, else the latest lapsed one', () => {
    const longest = attest('2027-06-01', 'b');
    expect(manualState(counts({}), [attest('2026-12-01', 'a'), longest, attest('2020-01-01', 'c')], NOW).attestation).toBe(longest);
    const lapsed = attest('2026-03-01', 'late');
    expect(manualState(counts({}), [attest('2025-01-01', 'early'), lapsed], NOW).attestation).toBe(lapsed);
  });
});

const def = (id: string, kind: 'automated' | 'manual', checks: readonly string[] = []): PromiseDefinition =>
  ({ id, title: id, clauseNl: `${id} nl`, clauseEn: `${id} en`, kind, checks, controls: [], standards: [] });

describe('rollupPromises', () => {
  const catalogue: Catalogue = {
    name: 'test',
    promises: [def('transport', 'automated'), def('own', 'automated', ['tls.*']), def('m', 'manual', ['http.server-header']), def('empty', 'automated')],
  };
  const results = [
    result('https.available', 'pass', ['transport']),
    result('https.available', 'pass', ['transport'], 'shop.example.nl'),
    result('tls.certificate-expiry', 'warn', ['transport']),
    result('tls.protocol-versions', 'error', []),
    result('http.server-header', 'fail', []),
  ];
  const [transport, own, manual, empty] = rollupPromises(catalogue, results, [attest('2026-12-31')], NOW);

  it('links results by the promises checks declare, with per-check counts', () => {
    expect(transport).toMatchObject({ id: 'transport', status: 'met-with-warnings', attestation: null });
    expect(transport!.checks).toEqual([
      { checkId: 'https.available', counts: counts({ pass: 2 }) },
      { checkId: 'tls.certificate-expiry', counts: counts({ warn: 1 }) },
    ]);
  });

  it('links results by check-id globs in a user catalogue', () => {
    expect(own!.checks.map((c) => c.checkId)).toEqual(['tls.certificate-expiry', 'tls.protocol-versions']);
    expect(own!.status).toBe('not-verified');
  });

  it('lets a failing check disprove an attested manual promise', () => {
    expect(manual).toMatchObject({ status: 'not-met', kind: 'manual', clauseNl: 'm nl', clauseEn: 'm en' });
    expect(manual!.attestation?.expires).toBe('2026-12-31');
  });

  it('reports a promise without results as not assessed', () => {
    expect(empty).toMatchObject({ status: 'not-assessed', checks: [] });
  });
});

describe('summarizeResults', () => {
  it('counts every reported status, zero included', () => {
    expect(summarizeResults([result('a.b', 'pass', []), result('a.c', 'waived', []), result('a.d', 'waived', [])]))
      .toEqual(counts({ pass: 1, waived: 2 }));
  });
});

describe('attestationProblems', () => {
  it('rejects unknown ids, attested automated promises and unreadable expiries', () => {
    const catalogue: Catalogue = { name: 't', promises: [def('auto', 'automated'), def('m', 'manual')] };
    expect(attestationProblems(catalogue, [
      { ...attest('2026-12-31'), promiseId: 'nope' }, { ...attest('2026-12-31'), promiseId: 'auto' }, attest('tomorrow'), attest('2026-12-31'),
    ])).toEqual([
      'attestations[0]: no promise "nope" in the catalogue',
      'attestations[1]: "auto" is checked automatically and cannot be attested',
      'attestations[2]: expires is not a date',
    ]);
  });
});

describe('createPromiseRollup and createStatusTally', () => {
  const catalogue: Catalogue = { name: 'test', promises: [def('transport', 'automated'), def('own', 'automated', ['tls.*']), def('m', 'manual', ['http.*'])] };
  const results = [
    result('https.available', 'pass', ['transport']),
    result('tls.certificate-expiry', 'warn', ['transport'], 'b.example'),
    result('tls.protocol-versions', 'error', [], 'b.example'),
    result('http.server-header', 'fail', [], 'c.example'),
    result('https.available', 'waived', ['transport'], 'c.example'),
  ];

  it('rolls up a domain at a time exactly as all at once', () => {
    const rollup = createPromiseRollup(catalogue, [attest('2026-12-31')], NOW);
    const tally = createStatusTally();
    for (const batch of [results.slice(0, 1), results.slice(1, 3), results.slice(3)]) {
      rollup.add(batch);
      tally.add(batch);
    }
    expect(rollup.finish()).toEqual(rollupPromises(catalogue, results, [attest('2026-12-31')], NOW));
    expect(tally.counts()).toEqual(counts({ pass: 1, warn: 1, error: 1, fail: 1, waived: 1 }));
  });

  it('links by content, not identity: results read back from a journal share no promises arrays', () => {
    const rollup = createPromiseRollup(catalogue, [], NOW);
    rollup.add([result('https.available', 'pass', ['transport'])]);
    rollup.add([result('https.available', 'fail', [])]); // same check, other promises: not evidence for transport
    rollup.add([result('https.available', 'warn', [...['transport']])]);
    expect(rollup.finish()[0]!.checks).toEqual([{ checkId: 'https.available', counts: counts({ pass: 1, warn: 1 }) }]);
  });
});
