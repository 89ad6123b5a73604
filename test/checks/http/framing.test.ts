import { describe, expect, it } from 'vitest';
import { framingCheck } from '../../../checks/http/framing.ts';
import { MAX_HEADER_VALUE_CHARS, TRUNCATION_MARK } from '../../../src/probes/types.ts';
import { contextFor } from '../../support/fake-probes.ts';
import { landing, unreachable } from './site.ts';

const run = (headers: Record<string, readonly string[]>, body = '') => framingCheck.run(contextFor(landing(headers, { body })));

describe('http.framing', () => {
  it.each([
    [{ 'content-security-policy': ["frame-ancestors 'none'"] }, 'pass', "CSP frame-ancestors 'none'"],
    [{ 'content-security-policy': ['frame-ancestors'] }, 'pass', "CSP frame-ancestors 'none'"],                  // empty list matches nothing
    [{ 'content-security-policy': ["frame-ancestors 'self' https://partner.example"] }, 'pass', "CSP frame-ancestors 'self' https://partner.example"],
    [{ 'x-frame-options': ['DENY'] }, 'pass', 'X-Frame-Options DENY'],
    [{ 'x-frame-options': ['sameorigin '] }, 'pass', 'X-Frame-Options sameorigin '],
    [{ 'x-frame-options': ['SAMEORIGIN', 'SAMEORIGIN'] }, 'pass', 'X-Frame-Options SAMEORIGIN, SAMEORIGIN'],      // HTML: a set of one value (Observatory fails)
    [{ 'x-frame-options': ['DENY, SAMEORIGIN'] }, 'pass', 'X-Frame-Options DENY, SAMEORIGIN'],                    // HTML: conflicting values block framing
    [{ 'content-security-policy': ['frame-ancestors *'], 'x-frame-options': ['DENY'] }, 'fail',
      'CSP frame-ancestors allows any site (*), and it overrides X-Frame-Options'],                              // HTML: frame-ancestors wins over XFO
    [{ 'x-frame-options': ['ALLOW-FROM https://partner.example'] }, 'fail',
      'X-Frame-Options "ALLOW-FROM https://partner.example" is not DENY or SAMEORIGIN, so browsers ignore it'], // no current browser supports ALLOW-FROM
    [{ 'x-frame-options': ['whimsy'] }, 'fail', 'X-Frame-Options "whimsy" is not DENY or SAMEORIGIN, so browsers ignore it'],
    [{ 'content-security-policy-report-only': ["frame-ancestors 'none'"] }, 'fail', 'Neither CSP frame-ancestors nor X-Frame-Options: any site can frame the page'],
    [{}, 'fail', 'Neither CSP frame-ancestors nor X-Frame-Options: any site can frame the page'],
  ] as const)('%j -> %s', async (headers, status, summary) => {
    expect(await run(headers)).toMatchObject({ status, summary });
  });

  it('ignores frame-ancestors in a <meta> policy (CSP3 §6.4.2)', async () => {
    expect((await run({}, `<head><meta http-equiv="content-security-policy" content="frame-ancestors 'none'"></head>`)).status).toBe('fail');
  });

  it('shows frame-ancestors and X-Frame-Options', async () => {
    expect(await run({ 'content-security-policy': ["default-src 'self'; frame-ancestors 'self'"], 'x-frame-options': ['DENY'] }))
      .toMatchObject({ evidence: { pages: [{ frameAncestors: ["'self'"], xFrameOptions: ['DENY'] }] } });
  });

  it('reports error when the probe cut the policy', async () => {
    expect(await run({ 'content-security-policy': [`default-src 'self'; ${'x'.repeat(MAX_HEADER_VALUE_CHARS)}`.slice(0, MAX_HEADER_VALUE_CHARS) + TRUNCATION_MARK] }))
      .toMatchObject({ status: 'error', reason: 'client-limitation' });
  });

  it('reports a ProbeError on the only address as error, not as a finding', async () => {
    expect(await framingCheck.run(contextFor(unreachable()))).toMatchObject({ status: 'error', reason: 'timeout' });
  });
});
