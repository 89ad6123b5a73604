import type { DnssecState, Step } from '../../src/dnssec/index.ts';
import type { DnssecFacts } from '../../src/runner/probe-kinds/dnssec.ts';
import { FIXED_TIME } from './fake-probes.ts';

/** A validation as the `dnssec` probe records it, for check unit tests: one chain step, failed unless secure. */
export function validation(name: string, type: string, state: DnssecState, extra: Partial<DnssecFacts> = {}): DnssecFacts {
  const reason = { secure: undefined, insecure: 'unsigned-delegation', bogus: 'signature-expired', indeterminate: 'fetch-failed' }[state];
  const step: Step = {
    zone: 'example.', check: 'answer', question: `${name}. ${type}`, outcome: state === 'secure' ? 'ok' : state === 'insecure' ? 'insecure' : state === 'bogus' ? 'failed' : 'indeterminate',
    detail: `${state} step`,
  };
  return {
    name: `${name}.`, type, state, ...(reason ? { reason: reason as NonNullable<DnssecFacts['reason']> } : {}), detail: `${name} ${type} is ${state}`,
    weak: [], steps: [step], verifications: 1, anchors: 'the IANA root anchors (built in)', observedAt: FIXED_TIME, ...extra,
  };
}
