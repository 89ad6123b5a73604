import type { Endpoint } from '../core/types.ts';
import { startTlsOn } from '../probes/smtp.ts';
import { dial, type Connect } from './exchange.ts';

/**
 * The SMTP side of an enumeration on an MX (issue 9): every hello costs one SMTP session, banner, EHLO and STARTTLS
 * (RFC 5321 4.1.1.1, RFC 3207 4), the same dialogue as the SMTP probe's (`startTlsOn`), and the hello is written
 * after the `220` to STARTTLS. The dial is the exchange's, so a refused or silent port is a connect-stage fact.
 */
export function starttlsConnect(endpoint: Endpoint, ehloName: string, runSignal: AbortSignal): Connect {
  // RFC 5321 4.1.1.1: checked once here as well, so a bad name fails before any connection is made.
  if (!/^[A-Za-z0-9.:_[\]-]{1,255}$/.test(ehloName)) throw new TypeError(`invalid EHLO name ${JSON.stringify(ehloName)}`);
  return async (signal) => startTlsOn(await dial(endpoint, signal, runSignal), endpoint, ehloName, signal);
}
