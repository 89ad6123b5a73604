import { describe, expect, it } from 'vitest';
import { referrerPolicyCheck } from '../../../checks/http/referrer-policy.ts';
import { MAX_HEADER_VALUE_CHARS, TRUNCATION_MARK } from '../../../src/probes/types.ts';
import { contextFor } from '../../support/fake-probes.ts';
import { landing, unreachable } from './site.ts';

const run = (values?: readonly string[], body = '') =>
  referrerPolicyCheck.run(contextFor(landing({ 'content-type': ['text/html'], ...(values ? { 'referrer-policy': values } : {}) }, { body })));

describe('http.referrer-policy', () => {
  it.each([
    [['no-referrer'], 'pass', 'Referrer-Policy: no-referrer'],
    [['same-origin'], 'pass', 'Referrer-Policy: same-origin'],
    [['strict-origin'], 'pass', 'Referrer-Policy: strict-origin'],
    [['strict-origin-when-cross-origin'], 'pass', 'Referrer-Policy: strict-origin-when-cross-origin'],
    [['no-referrer, whimsy'], 'pass', 'Referrer-Policy: no-referrer'],                       // §11.1 fallback
    [['unsafe-url'], 'fail', 'Referrer-Policy: unsafe-url sends page URLs or origins to other sites'],
    [['no-referrer-when-downgrade'], 'fail', 'Referrer-Policy: no-referrer-when-downgrade sends page URLs or origins to other sites'],
    [['origin'], 'fail', 'Referrer-Policy: origin sends page URLs or origins to other sites'],
    [['origin-when-cross-origin'], 'fail', 'Referrer-Policy: origin-when-cross-origin sends page URLs or origins to other sites'],
    [['no-referrer, unsafe-url'], 'fail', 'Referrer-Policy: unsafe-url sends page URLs or origins to other sites'], // §8.1 last valid wins
    [['whimsy'], 'fail', 'Referrer-Policy has no valid policy value, so browsers ignore it'],
    [undefined, 'warn', 'No Referrer-Policy: browsers default to strict-origin-when-cross-origin'],
  ] as const)('%j -> %s', async (values, status, summary) => {
    expect(await run(values)).toMatchObject({ status, summary });
  });

  it('lets a valid <meta name="referrer"> override the header (HTML §4.2.5.1)', async () => {
    expect(await run(['no-referrer'], '<head><meta name="referrer" content="unsafe-url"></head>'))
      .toMatchObject({ status: 'fail', summary: '<meta name="referrer">: unsafe-url sends page URLs or origins to other sites' });
    expect((await run(['unsafe-url'], '<meta name="referrer" content="same-origin">')).status).toBe('pass');
  });

  it.each([
    // HTML §4.2.5.1: a <meta name="referrer"> whose content is not a policy does not change the document's policy.
    [undefined, 'warn', 'No Referrer-Policy: browsers default to strict-origin-when-cross-origin; '
      + '<meta name="referrer" content="whimsy"> is not a referrer policy, so browsers ignore it'],
    [['no-referrer'], 'pass', 'Referrer-Policy: no-referrer; <meta name="referrer" content="whimsy"> is not a referrer policy, so browsers ignore it'],
    [['unsafe-url'], 'fail', 'Referrer-Policy: unsafe-url sends page URLs or origins to other sites; '
      + '<meta name="referrer" content="whimsy"> is not a referrer policy, so browsers ignore it'],
  ] as const)('judges %j with an invalid <meta name="referrer"> as if the meta were absent', async (values, status, summary) => {
    expect(await run(values, '<head><meta name="referrer" content="whimsy"></head>')).toMatchObject({
      status, summary, evidence: { pages: [{ meta: 'whimsy', metaIgnored: true }] },
    });
  });

  it('ignores an empty <meta name="referrer"> content (HTML §4.2.5.1 step 3)', async () => {
    expect(await run(undefined, '<meta name="referrer" content="">')).toMatchObject({ status: 'warn', evidence: { pages: [{ metaIgnored: true }] } });
  });

  it.each([
    // Referrer Policy §8.1: all field values form one list; the last recognised token wins, others are skipped (§11.1).
    [['whimsy', 'no-referrer'], 'pass', 'Referrer-Policy: no-referrer'],
    [['no-referrer', 'whimsy'], 'pass', 'Referrer-Policy: no-referrer'],
    [['unsafe-url', 'whimsy, strict-origin'], 'pass', 'Referrer-Policy: strict-origin'],
    [['strict-origin', 'origin, whimsy'], 'fail', 'Referrer-Policy: origin sends page URLs or origins to other sites'],
  ] as const)('combines an invalid header value with a valid one: %j -> %s', async (values, status, summary) => {
    expect(await run(values)).toMatchObject({ status, summary });
  });

  it('shows the header, the meta content and the policy in force', async () => {
    expect(await run(['whimsy, same-origin'], '<meta name="referrer" content="never">')).toMatchObject({
      evidence: { pages: [{ header: ['whimsy, same-origin'], meta: 'never', metaIgnored: false, policy: 'no-referrer', unknownTokens: ['whimsy'] }] },
    });
  });

  it('reports error when the probe cut the header (the winning token may be lost)', async () => {
    expect(await run([`${'no-referrer, '.repeat(6000)}`.slice(0, MAX_HEADER_VALUE_CHARS) + TRUNCATION_MARK])).toMatchObject({ status: 'error' });
  });

  it('reports a ProbeError on the only address as error, not as a finding', async () => {
    expect(await referrerPolicyCheck.run(contextFor(unreachable()))).toMatchObject({ status: 'error', reason: 'timeout' });
  });
});
