import { describe, expect, it } from 'vitest';
import { parseTlsRpt } from '../../src/parse/tls-rpt.ts';

describe('parseTlsRpt (RFC 8460 3)', () => {
  it.each([
    { text: 'v=TLSRPTv1; rua=mailto:tlsrpt@example.nl', rua: ['mailto:tlsrpt@example.nl'] },
    { text: 'v=TLSRPTv1;rua=https://reports.example/tlsrpt;', rua: ['https://reports.example/tlsrpt'] },
    { text: 'v=TLSRPTv1; rua=mailto:a@example.nl , https://reports.example/v1', rua: ['mailto:a@example.nl', 'https://reports.example/v1'] },
    { text: 'v=TLSRPTv1; rua=mailto:a@example.nl?subject=tls', rua: ['mailto:a@example.nl?subject=tls'] },
  ])('accepts $text', ({ text, rua }) => {
    expect(parseTlsRpt(text)).toEqual({ ok: true, record: { rua, extensions: [] } });
  });

  it('keeps extension fields', () => {
    expect(parseTlsRpt('v=TLSRPTv1; rua=mailto:a@example.nl; x-ext=1')).toEqual({ ok: true, record: { rua: ['mailto:a@example.nl'], extensions: ['x-ext=1'] } });
  });

  it.each([
    { text: 'v=tlsrptv1; rua=mailto:a@example.nl', problem: /start with/ },   // %s"v=TLSRPTv1": case-sensitive
    { text: 'rua=mailto:a@example.nl; v=TLSRPTv1', problem: /start with/ },
    { text: 'v=TLSRPTv1', problem: /rua= is missing/ },
    { text: 'v=TLSRPTv1; rua=', problem: /empty URI/ },
    { text: 'v=TLSRPTv1; rua=mailto:a@example.nl; rua=mailto:b@example.nl', problem: /more than once/ },
    { text: 'v=TLSRPTv1; rua=tlsrpt@example.nl', problem: /only mailto: and https:/ },
    { text: 'v=TLSRPTv1; rua=http://reports.example/', problem: /only mailto: and https:/ }, // plain HTTP is not allowed
    { text: 'v=TLSRPTv1; rua=mailto:nobody', problem: /mailto/ },
    { text: 'v=TLSRPTv1; rua=https://', problem: /https/ },
    { text: 'v=TLSRPTv1; rua=mailto:a@example.nl,', problem: /empty URI/ },
    { text: 'v=TLSRPTv1; rua=mailto:a@example.nl; not a field', problem: /not a valid field/ },
  ])('rejects $text', ({ text, problem }) => {
    const parsed = parseTlsRpt(text);
    expect(!parsed.ok && parsed.problem).toMatch(problem);
  });
});
