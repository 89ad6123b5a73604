import type { TlsEnumeration } from '../enumerate.ts';
import { probeCcsInjection } from './ccs-injection.ts';
import { probeHeartbleed } from './heartbleed.ts';
import { probeRobot, robotPlan } from './robot.ts';
import { probeTicketbleed, type IssuedTicket } from './ticketbleed.ts';
import { weaknessFacts, type RawWeakness, type WeaknessFacts, type WeaknessProbeOptions } from './facts.ts';

export { RAW_WEAKNESSES, WEAKNESS_SPEC, weaknessQuietWindow, type RawWeakness, type WeaknessFacts } from './facts.ts';

/** What some probes need besides the converser. */
export type WeaknessInputs = {
  /** ROBOT: the enumeration it is planned from. */
  readonly enumeration?: TlsEnumeration;
  /** Ticketbleed: a full node:tls handshake at TLS 1.2 or older that returns the server's ticket. */
  readonly obtainTicket?: () => Promise<IssuedTicket>;
};

/**
 * One known-weakness probe by name (issue 10). ROBOT is planned from the enumeration (which version accepts RSA key
 * exchange, with which suites); without RSA key exchange it is not applicable and no connection is made.
 */
export function probeWeakness(weakness: RawWeakness, options: WeaknessProbeOptions, inputs: WeaknessInputs): Promise<WeaknessFacts> {
  switch (weakness) {
    case 'heartbleed': return probeHeartbleed(options);
    case 'ccs-injection': return probeCcsInjection(options);
    case 'robot': {
      const plan = inputs.enumeration ? robotPlan(inputs.enumeration) : null;
      if (!plan) {
        return Promise.resolve(weaknessFacts(options, 'robot', {
          outcome: 'not-applicable', reason: null, finding: 'not applicable: no RSA key exchange is accepted',
        }));
      }
      return probeRobot(options, plan);
    }
    case 'ticketbleed':
      if (!inputs.obtainTicket) throw new TypeError('ticketbleed needs obtainTicket');
      return probeTicketbleed(options, inputs.obtainTicket);
  }
}

/** Only a conclusion may stand for other names on the same address; an `unknown` is measured again. */
export const weaknessConcluded = (facts: WeaknessFacts): boolean => facts.outcome !== 'unknown';
