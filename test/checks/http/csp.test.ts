import { describe, expect, it } from 'vitest';
import { cspCheck } from '../../../checks/http/csp.ts';
import { MAX_HEADER_VALUE_CHARS, TRUNCATION_MARK } from '../../../src/probes/types.ts';
import { contextFor } from '../../support/fake-probes.ts';
import { landing, unreachable } from './site.ts';

const STRONG = "default-src 'self'; script-src 'nonce-r4nd0m' 'strict-dynamic'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const run = (headers: Record<string, readonly string[]>, body = '', type = 'text/html; charset=utf-8') =>
  cspCheck.run(contextFor(landing({ 'content-type': [type], ...headers }, { body })));

describe('http.csp', () => {
  it.each([
    [{ 'content-security-policy': [STRONG] }, 'pass', 'CSP restricts scripts with nonces or hashes'],
    [{ 'content-security-policy': ["default-src 'self'"] }, 'warn',
      "CSP restricts scripts but no base-uri: an injected <base> can re-point relative script URLs; no form-action: forms may post to any origin"],
    [{ 'content-security-policy': ["default-src 'self'; script-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'self'"] }, 'fail',
      "CSP does not stop injected script: script-src allows 'unsafe-inline' without a nonce or hash"],
    [{ 'content-security-policy': ["default-src 'self'; script-src 'self' 'unsafe-eval'; base-uri 'none'; form-action 'self'"] }, 'fail',
      "CSP does not stop injected script: script-src allows 'unsafe-eval'"],
    [{ 'content-security-policy': ["default-src https:; base-uri 'none'; form-action 'self'"] }, 'fail',
      'CSP does not stop injected script: default-src allows scripts from https:; default-src allows objects from https:'],
    [{ 'content-security-policy-report-only': [STRONG] }, 'fail', 'Only Content-Security-Policy-Report-Only is sent: it reports but enforces nothing'],
    [{}, 'fail', 'No Content-Security-Policy header or <meta> policy'],
  ] as const)('%j -> %s', async (headers, status, summary) => {
    expect(await run(headers)).toMatchObject({ status, summary });
  });

  it('reads a <meta http-equiv> policy from an HTML page', async () => {
    const body = `<html><head><meta http-equiv="Content-Security-Policy" content="${STRONG.replaceAll("'", '&#39;')}"></head></html>`;
    expect((await run({}, body)).status).toBe('pass');
  });

  it('does not read <meta> from a non-HTML body', async () => {
    const body = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'">`;
    expect((await run({}, body, 'application/json')).status).toBe('fail');
  });

  it('shows the header, the policy facts and every issue', async () => {
    const outcome = await run({ 'content-security-policy': ["default-src 'self'; script-src 'self' 'unsafe-inline'"] });
    expect(outcome).toMatchObject({ evidence: { pages: [{
      url: 'https://example.nl/', header: ["default-src 'self'; script-src 'self' 'unsafe-inline'"], reportOnly: [], meta: [],
      enforcedPolicies: 1, strictDynamic: false, nonces: false, hashes: false,
      issues: [
        "fail: script-src allows 'unsafe-inline' without a nonce or hash",
        'warn: no base-uri: an injected <base> can re-point relative script URLs',
        'warn: no form-action: forms may post to any origin',
      ],
    }] } });
  });

  it("does not let a malformed nonce switch 'unsafe-inline' off, and names it (CSP3 §2.3.1)", async () => {
    const outcome = await run({ 'content-security-policy': ["default-src 'self'; script-src 'self' 'unsafe-inline' 'nonce-'; base-uri 'none'; form-action 'self'"] });
    expect(outcome).toMatchObject({
      status: 'fail',
      summary: "CSP does not stop injected script: script-src allows 'unsafe-inline' without a nonce or hash (browsers ignore the malformed 'nonce-')",
      evidence: { pages: [{ nonces: false, issues: [
        "fail: script-src allows 'unsafe-inline' without a nonce or hash (browsers ignore the malformed 'nonce-')",
        "warn: script-src: 'nonce-' has no value (CSP3 §2.3.1)",
      ] }] },
    });
  });

  it('warns about a malformed hash that leaves the policy strict', async () => {
    expect(await run({ 'content-security-policy': [`${STRONG}; style-src 'self' 'sha1-abc'`] })).toMatchObject({
      status: 'warn',
      summary: "CSP restricts scripts but style-src: 'sha1-…' is not a CSP hash algorithm (CSP3 §2.3.1: sha256, sha384 or sha512)",
    });
  });

  it('reports error, not a verdict, when the probe cut the policy', async () => {
    const cut = `${STRONG}; ${'x'.repeat(MAX_HEADER_VALUE_CHARS)}`.slice(0, MAX_HEADER_VALUE_CHARS) + TRUNCATION_MARK;
    expect(await run({ 'content-security-policy': [cut] })).toMatchObject({ status: 'error', reason: 'client-limitation' });
  });

  it('handles a 1 MB header value', { timeout: 2000 }, async () => {
    expect((await run({ 'content-security-policy': [`${STRONG}; ${'img-src x; '.repeat(100_000)}`] })).status).toBe('fail'); // img-src repeated
  });

  it('reports a ProbeError on the only address as error, not as a finding', async () => {
    expect(await cspCheck.run(contextFor(unreachable()))).toMatchObject({ status: 'error', reason: 'timeout' });
  });
});
