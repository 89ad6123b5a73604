/** The `allowRedirectsTo` configuration key: validated like every field, and what a scan's settings get from it. */
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.ts';
import { redirectSettings } from '../../src/config/redirects.ts';

const build = (raw: Record<string, unknown>) => buildConfig({ domains: ['example.nl'], ...raw }, { source: null, baseDir: '/tmp' });

describe('allowRedirectsTo', () => {
  it('defaults to nothing: every special network is refused', async () => {
    const result = await build({});
    expect(result.ok && result.config.allowRedirectsTo).toEqual([]);
    expect(result.ok && redirectSettings(result.config)).toEqual({ allow: { kinds: [], prefixes: [] }, scannedHosts: ['example.nl'] });
  });

  it('accepts network names and prefixes', async () => {
    const result = await build({ allowRedirectsTo: ['loopback', 'unique-local', '10.20.0.0/16', '::1/128'],
      domains: [{ name: 'example.nl', urls: ['https://login.example.nl/'] }] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const settings = redirectSettings(result.config);
    expect(settings.allow.kinds).toEqual(['loopback', 'unique-local']);
    expect(settings.allow.prefixes.map((p) => p.text)).toEqual(['10.20.0.0/16', '::1/128']);
    expect(settings.scannedHosts).toEqual(['example.nl', 'login.example.nl']);
  });

  it('lists every problem with its path', async () => {
    const result = await build({ allowRedirectsTo: ['intranet', 7, '10.0.0.1/8'] });
    expect(result.ok ? [] : result.problems).toEqual([
      'allowRedirectsTo[0]: "intranet" is neither a network name (loopback, private, link-local, unique-local) nor a prefix like 10.0.0.0/8',
      'allowRedirectsTo[1]: expected a non-empty string, got number 7',
      'allowRedirectsTo[2]: "10.0.0.1/8" has address bits set after the /8 prefix (did you mean 10.0.0.0/8?)',
    ]);
    expect((await build({ allowRedirectsTo: 'loopback' })).ok).toBe(false);
  });
});
