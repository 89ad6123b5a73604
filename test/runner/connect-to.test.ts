import { describe, expect, it } from 'vitest';
import type { ConnectToRule } from '../../src/config/config.ts';
import { connectToMatcher } from '../../src/runner/probes.ts';

// `--connect-to` rules as curl reads them: the first rule in the configured order that fits the host and port wins,
// an empty host or port fits any (src/runner/probes.ts, indexed by host).

const rule = (host: string | null, port: number | null, dialPort: number): ConnectToRule => ({ host, port, address: '127.0.0.1', dialPort, text: `${host ?? ''}:${port ?? ''}:127.0.0.1:${dialPort}` });

describe('connectToMatcher', () => {
  const rules = [rule('a.test', 443, 1), rule(null, 25, 2), rule('a.test', null, 3), rule(null, null, 4), rule('b.test', 443, 5)];
  const match = connectToMatcher(rules);
  it.each([
    ['a.test', 443, 1], ['A.TEST', 443, 1], ['a.test', 25, 2], ['a.test', 80, 3], ['b.test', 443, 4], ['c.test', 8443, 4], ['c.test', 25, 2],
  ] as const)('%s:%i -> rule %i', (host, port, dialPort) => {
    expect(match(host, port)?.dialPort).toBe(dialPort);
  });
  it('finds nothing without a fitting rule', () => {
    expect(connectToMatcher([rule('a.test', 443, 1)])('a.test', 25)).toBeUndefined();
    expect(connectToMatcher([])('a.test', 443)).toBeUndefined();
  });
});
