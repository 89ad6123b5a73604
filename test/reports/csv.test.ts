import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, CSV_HEADER_ROW, csvReason, csvRows } from '../../reports/csv.ts';
import type { ReportResult } from '../../reports/types.ts';

const base = {
  checkId: 'mail.dmarc', title: 'DMARC', domain: 'example.nl', promises: ['mail-anti-spoofing'],
  startedAt: '2026-06-01T02:00:00.000Z', durationMs: 1, artifacts: [], evidence: {},
} as const;

const WAIVER = { reason: 'rollout in Q2', owner: 'mail team', expires: '2026-09-30' };

describe('csvReason', () => {
  it.each<readonly [string, ReportResult, string]>([
    ['pass: the summary', { ...base, status: 'pass', summary: 'p=reject' }, 'p=reject'],
    ['warn: the summary', { ...base, status: 'warn', summary: 'pct=50', remediation: 'r' }, 'pct=50'],
    ['fail: the summary', { ...base, status: 'fail', summary: 'p=none', remediation: 'r' }, 'p=none'],
    ['error: the reason code first', { ...base, status: 'error', reason: 'timeout', summary: 'no answer in 8000 ms' }, 'timeout: no answer in 8000 ms'],
    ['skip: the reason code first', { ...base, status: 'skip', reason: 'not-configured', summary: 'no selectors' }, 'not-configured: no selectors'],
    ['waived: what it was, until when, whose and why', { ...base, status: 'waived', originalStatus: 'fail', summary: 'p=none', remediation: 'r', waiver: WAIVER },
      'fail waived until 2026-09-30 (mail team: rollout in Q2): p=none'],
  ])('%s', (_what, result, reason) => {
    expect(csvReason(result)).toBe(reason);
  });
});

describe('csv rows', () => {
  it('has exactly the documented columns', () => {
    expect(CSV_COLUMNS).toEqual(['domain', 'check', 'status', 'reason', 'since', 'promise']);
    expect(CSV_HEADER_ROW).toBe('domain,check,status,reason,since,promise\r\n');
  });

  it('writes one row per result, its promises joined with ";" in one quoted cell, and an empty since without a baseline', () => {
    const result: ReportResult = { ...base, promises: ['transport-encryption', 'mail-transport-encryption'], status: 'pass', summary: 'ok' };
    const since: ReportResult = { ...result, checkId: 'mail.spf', since: '2026-05-01T02:00:00.000Z' };
    expect(csvRows({ domain: 'example.nl', results: [result, since], artifacts: {} })).toBe(
      'example.nl,mail.dmarc,pass,ok,,"transport-encryption;mail-transport-encryption"\r\n'
      + 'example.nl,mail.spf,pass,ok,2026-05-01T02:00:00.000Z,"transport-encryption;mail-transport-encryption"\r\n');
  });
});
