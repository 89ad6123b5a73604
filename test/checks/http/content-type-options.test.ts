import { describe, expect, it } from 'vitest';
import { contentTypeOptionsCheck } from '../../../checks/http/content-type-options.ts';
import { contextFor } from '../../support/fake-probes.ts';
import { landing, unreachable } from './site.ts';

const run = (values?: readonly string[]) => contentTypeOptionsCheck.run(contextFor(landing(values ? { 'x-content-type-options': values } : {})));

describe('http.content-type-options', () => {
  it.each([
    [['nosniff'], 'pass', 'X-Content-Type-Options: nosniff'],
    [['NoSniff '], 'pass', 'X-Content-Type-Options: nosniff'],
    [['nosniff, nosniff'], 'pass', 'X-Content-Type-Options: nosniff'],          // Fetch "determine nosniff" reads the first value (Observatory fails)
    [['nosniff', 'whimsy'], 'pass', 'X-Content-Type-Options: nosniff'],
    [['whimsy, nosniff'], 'fail', 'X-Content-Type-Options "whimsy, nosniff" is not nosniff'],
    [['whimsy'], 'fail', 'X-Content-Type-Options "whimsy" is not nosniff'],
    [undefined, 'fail', 'X-Content-Type-Options is missing: browsers may sniff content types'],
  ] as const)('%j -> %s', async (values, status, summary) => {
    expect(await run(values)).toMatchObject({ status, summary });
  });

  it('shows the header values', async () => {
    expect(await run(['nosniff'])).toMatchObject({ evidence: { pages: [{ url: 'https://example.nl/', xContentTypeOptions: ['nosniff'] }] } });
  });

  it('caps a 1 MB header value in evidence', async () => {
    const outcome = await run([`nosniff${' '.repeat(1_048_576)}`]);
    expect(outcome.status).toBe('pass');
    expect(JSON.stringify(outcome).length).toBeLessThan(4096);
  });

  it('reports a ProbeError on the only address as error, not as a finding', async () => {
    expect(await contentTypeOptionsCheck.run(contextFor(unreachable()))).toMatchObject({ status: 'error', reason: 'timeout' });
  });
});
