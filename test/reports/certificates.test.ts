import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/core/types.ts';
import { certificateExpiries } from '../../reports/certificates.ts';
import type { ReportResult } from '../../reports/types.ts';

const result = (checkId: string, evidence: JsonObject): ReportResult => ({
  checkId, title: checkId, domain: 'example.nl', promises: [], startedAt: '2026-06-01T00:00:00.000Z', durationMs: 1, artifacts: [],
  status: 'pass', summary: 'ok', evidence,
});

describe('certificateExpiries', () => {
  it('reads flat, per-address and per-MX evidence, naming the nearest address or host', () => {
    expect(certificateExpiries([
      result('tls.certificate-expiry', { leaf: { notAfter: '2026-09-01T00:00:00Z' }, daysLeft: 92 }),
      result('tls.certificate-expiry', { host: 'example.nl', addresses: [{ address: '192.0.2.1', leaf: { notAfter: 'x' }, daysLeft: 3 }] }),
      result('mail.certificate-expiry', { mx: [{ host: 'mx1.example.nl', addresses: [{ address: '192.0.2.25', daysLeft: -1 }] }, { host: 'mx2.example.nl', daysLeft: 10 }] }),
    ]).map((c) => [c.checkId, c.address, c.notAfter, c.daysLeft])).toEqual([
      ['tls.certificate-expiry', null, '2026-09-01T00:00:00Z', 92],
      ['tls.certificate-expiry', '192.0.2.1', 'x', 3],
      ['mail.certificate-expiry', '192.0.2.25', null, -1],
      ['mail.certificate-expiry', 'mx2.example.nl', null, 10],
    ]);
  });

  it('ignores results without a numeric daysLeft, and values of the wrong type', () => {
    expect(certificateExpiries([
      result('tls.certificate-trust', { leaf: { notAfter: '2026-09-01T00:00:00Z' } }),
      result('tls.certificate-expiry', { daysLeft: '3', address: 7 }),
      { ...result('x.y', {}), status: 'error', reason: 'timeout' } as ReportResult,
    ])).toEqual([]);
  });
});
