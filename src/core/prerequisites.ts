import type { ProbeError } from './errors.ts';

/**
 * A fact that another check reports as its own finding. A check that depends on it skips the subject
 * (`skip`/`prerequisite`, naming that check) instead of calling the same finding "could not test": nothing served
 * on port 443 is `https.available`'s fail, not an error of every header, cookie and certificate check.
 */
export type Prerequisite = {
  /** The check whose finding this is. */
  readonly checkId: string;
  /** Whether this probe failure is that finding. */
  readonly isFinding: (err: ProbeError) => boolean;
  /** What the dependant says instead of judging, e.g. "HTTPS is not served". */
  readonly describe: (err: ProbeError) => string;
};

/** Something listens on 443: a refused TCP connect is an answer from the host that nothing is served there. */
export const HTTPS_LISTENING: Prerequisite = {
  checkId: 'https.available',
  isFinding: (err) => err.reason === 'refused' && err.stage === 'connect',
  describe: () => 'HTTPS is not served (port 443 refuses connections)',
};

/**
 * HTTPS works: something listens on 443 and completes a TLS handshake. A timeout is not in here: silence is not an
 * answer, so it stays `error` in every check, as in `https.available`.
 */
export const HTTPS_SERVED: Prerequisite = {
  checkId: 'https.available',
  isFinding: (err) => HTTPS_LISTENING.isFinding(err) || err.reason === 'tls-handshake',
  describe: (err) => (HTTPS_LISTENING.isFinding(err) ? HTTPS_LISTENING.describe(err) : 'the HTTPS handshake fails'),
};
