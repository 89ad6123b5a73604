import { describe, expect, it } from 'vitest';
import { dnssecCheck } from '../../../checks/dns/dnssec.ts';
import { dnssecMxCheck } from '../../../checks/mail/dnssec-mx.ts';
import type { DnssecState } from '../../../src/dnssec/index.ts';
import type { Probes } from '../../../src/probes/types.ts';
import type { DnssecFacts } from '../../../src/runner/probe-kinds/dnssec.ts';
import { validation } from '../../support/fake-dnssec.ts';
import { contextFor, fakeProbes, zone } from '../../support/fake-probes.ts';

/** Probes whose validations give `states` by question (`SOA`, `A`, or an MX host's name). */
function probesFor(states: Record<string, DnssecState>, extra: Partial<Record<string, Partial<DnssecFacts>>> = {}): Probes {
  return fakeProbes({
    dnssec: async (name, type) => {
      const key = states[type] !== undefined ? type : name.replace(/\.$/, '');
      return validation(name, type, states[key] ?? 'secure', extra[key] ?? {});
    },
    dns: zone({ 'example.nl': { MX: ['10 mx1.example.nl', '20 mx2.other.nl'] } }),
  });
}
const run = (states: Record<string, DnssecState>, extra = {}) => dnssecCheck.run(contextFor(probesFor(states, extra), { domain: 'example.nl' }));

describe('dns.dnssec judges Vouch\'s own validations of SOA and A', () => {
  it.each([
    [{ SOA: 'secure', A: 'secure' }, 'pass', 'example.nl is DNSSEC-signed and validates'],
    [{ SOA: 'insecure', A: 'insecure' }, 'fail', 'example.nl is not DNSSEC-signed (unsigned-delegation)'],
    [{ SOA: 'secure', A: 'insecure' }, 'fail', 'not DNSSEC-signed'],
    [{ SOA: 'bogus', A: 'secure' }, 'fail', 'example.nl is DNSSEC-bogus (signature-expired)'],
    // A finding seen stands even when another question could not be fetched; bogus outranks insecure.
    [{ SOA: 'indeterminate', A: 'insecure' }, 'fail', 'not DNSSEC-signed'],
    [{ SOA: 'insecure', A: 'bogus' }, 'fail', 'DNSSEC-bogus'],
    [{ SOA: 'indeterminate', A: 'secure' }, 'error', 'could not validate DNSSEC for example.nl (fetch-failed)'],
  ] as const)('%o -> %s', async (states, status, summary) => {
    expect(await run(states)).toMatchObject({ status, summary: expect.stringContaining(summary) });
  });

  it('names the step that failed and keeps the chain and the resolver\'s AD bit as evidence', async () => {
    const outcome = await run({ SOA: 'bogus', A: 'secure' }, { SOA: { resolverAuthenticated: true } });
    expect(outcome.summary).toContain('(at example., answer: example.nl. SOA)');
    expect(outcome).toMatchObject({ evidence: { validatedBy: 'vouch', validations: [
      { question: 'example.nl. SOA', state: 'bogus', failedStep: 0, resolverAuthenticated: true, steps: [{ outcome: 'failed' }] },
      { question: 'example.nl. A', state: 'secure', failedStep: null, resolverAuthenticated: null },
    ] } });
  });

  it('maps why a validation could not be made to an error reason', async () => {
    expect(await run({ SOA: 'indeterminate', A: 'secure' })).toMatchObject({ status: 'error', reason: 'dns-failure' });
    expect(await run({ SOA: 'indeterminate', A: 'secure' }, { SOA: { reason: 'resolver-no-dnssec' } })).toMatchObject({ status: 'error', reason: 'client-limitation' });
  });

  it('warns when the chain rests on an algorithm RFC 8624 no longer recommends', async () => {
    const outcome = await run({ SOA: 'secure', A: 'secure' }, { SOA: { weak: ['RSASHA1 (algorithm 5) for example.nl.'] } });
    expect(outcome).toMatchObject({ status: 'warn', summary: expect.stringContaining('RSASHA1 (algorithm 5)') });
  });
});

describe('mail.dnssec-mx judges every MX host\'s zone', () => {
  const mx = (states: Record<string, DnssecState>) => dnssecMxCheck.run(contextFor(probesFor(states), { domain: 'example.nl' }));

  it.each([
    [{}, 'pass', 'the MX host\'s zone is DNSSEC-signed and validates: Vouch followed the chain from the IANA root anchors (built in) to A (all 2 MX hosts)'],
    [{ 'mx2.other.nl': 'insecure' }, 'fail', 'mx2.other.nl: the MX host\'s zone is not DNSSEC-signed (unsigned-delegation): mx2.other.nl A is insecure'],
    [{ 'mx1.example.nl': 'bogus' }, 'fail', 'mx1.example.nl: the MX host\'s zone is DNSSEC-bogus'],
    [{ 'mx1.example.nl': 'indeterminate' }, 'error', 'mx1.example.nl: could not validate DNSSEC for the MX host\'s zone'],
  ] as const)('%o -> %s', async (states, status, summary) => {
    expect(await mx(states)).toMatchObject({ status, summary: expect.stringContaining(summary) });
  });
});
