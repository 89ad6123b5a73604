import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.ts';

const build = (raw: unknown) => buildConfig(raw, { source: null, baseDir: '/tmp' });

describe('ocsp.queryResponder', () => {
  it('is off by default: responders are the CA\'s servers, not the scanned organisation\'s', async () => {
    const result = await build({ domains: ['example.nl'] });
    expect(result.ok && result.config.ocsp).toEqual({ queryResponder: false });
  });

  it('is read when given, and changes the digest (it changes verdicts)', async () => {
    const [off, on] = await Promise.all([false, true].map((queryResponder) => build({ domains: ['example.nl'], ocsp: { queryResponder } })));
    expect(on?.ok && on.config.ocsp.queryResponder).toBe(true);
    expect(off?.ok && on?.ok && off.config.digest !== on.config.digest).toBe(true);
  });

  it('names a wrong type and an unknown key by path, with the other problems', async () => {
    const result = await build({ domains: ['bad name'], ocsp: { queryResponder: 'yes', queryResponders: true } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join('\n');
    expect(text).toMatch(/ocsp\.queryResponder: expected true or false, got string "yes"/);
    expect(text).toMatch(/ocsp\.queryResponders: unknown key \(did you mean "queryResponder"\?\)/);
    expect(text).toMatch(/domains\[0\]/);
  });

  it('refuses an ocsp that is not a mapping', async () => {
    const result = await build({ domains: ['example.nl'], ocsp: true });
    expect(!result.ok && result.problems).toContainEqual(expect.stringMatching(/^ocsp: expected a mapping/));
  });
});
