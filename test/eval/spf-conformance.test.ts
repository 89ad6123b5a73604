/**
 * The OpenSPF RFC 7208 conformance suite (pyspf's rfc7208-tests.yml as JSON, BSD-3-Clause: see
 * test/fixtures/spf/spf-rfc7208.LICENSE), run against evaluateSpf with DNS served in-process from each
 * scenario's `effective` zones.
 */
import { describe, expect, it } from 'vitest';
import { evaluateSpf } from '../../src/eval/spf.ts';
import { loadSuite, suiteResolver } from '../fixtures/spf/suite-resolver.ts';

const suite = loadSuite();

/**
 * Cases deliberately not run, with the reason. Empty: the evaluator implements IPv6 (so scenario 11's "IP4-only
 * implementations may skip" does not apply), exp= (scenario 12's "exp is optional" does not apply either), and the
 * one pyspf-only option (`bytes-bug`, strict=2) changes nothing for an implementation without that option.
 */
const SKIPPED: Readonly<Record<string, string>> = {};

/**
 * Explanations compared without regard to case. RFC 7208 7.4's own examples expand `%{ir}` for IPv6 to lower-case
 * nibbles ("1.0.b.c.0.0..."), which we produce; the suite's expected text has upper-case nibbles because pyspf
 * reverses the address text as given (CAFE:BABE::1). Both name the same DNS node.
 */
const CASE_INSENSITIVE_EXPLANATION = new Set(['rfc7208/v-macro-ip6']);

const cases = suite.cases.filter((c) => !(c.id in SKIPPED));

describe('RFC 7208 conformance suite', () => {
  it('has all 203 cases, each run or skipped with a reason', () => {
    expect(suite.cases).toHaveLength(203);
    expect(cases.length + Object.keys(SKIPPED).length).toBe(203);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, testCase) => {
    const scenario = suite.scenarios[testCase.scenarioIndex]!;
    // The suite evaluates the MAIL FROM identity; a null reverse-path means postmaster@<helo> (RFC 7208 2.4).
    const sender = testCase.mailfrom || `postmaster@${testCase.helo}`;
    const domain = sender.slice(sender.lastIndexOf('@') + 1);
    const evaluation = await evaluateSpf({
      ip: testCase.ip, domain, sender, helo: testCase.helo, dns: suiteResolver(scenario),
      now: new Date('2026-06-01T00:00:00Z'), receiver: 'receiver.example.org',
    });
    const detail = `${testCase.spec.join(' ')}: ${JSON.stringify(evaluation, null, 1)}`;
    expect(testCase.expected, detail).toContain(evaluation.result);
    if (evaluation.result === 'fail' && testCase.explanation !== undefined) {
      // The suite writes "DEFAULT" where no exp= text applies; we report that as null.
      const expected = testCase.explanation === 'DEFAULT' ? null : testCase.explanation;
      if (CASE_INSENSITIVE_EXPLANATION.has(testCase.id)) {
        expect(evaluation.explanation?.toLowerCase(), detail).toBe(expected?.toLowerCase());
      } else {
        expect(evaluation.explanation, detail).toBe(expected);
      }
    }
  });
});
