import { endpointLabel } from '../../core/endpoint-label.ts';
import type { Endpoint } from '../../core/types.ts';
import { probeSmtp, probeSmtpTlsVersion } from '../../probes/smtp.ts';
import type { SmtpFacts, TlsVersion, TlsVersionFacts } from '../../probes/types.ts';
import { endpointKey, probeKind } from './kind.ts';

/*
 * An MX host's answers describe the host, not the domain that asked: every domain pointing at it gets the same, so
 * they are kept for the run (`lifetime: 'run'`) and a host shared by domains thousands apart costs its sessions once.
 */

/** One SMTP session up to and through STARTTLS, then QUIT (never a message). */
export const smtp = probeKind({
  name: 'smtp',
  lifetime: 'run',
  key: (ep: Endpoint) => `smtp:${endpointKey(ep)}`,
  load: (ctx, ep): Promise<SmtpFacts> => ctx.mx(ep, () => ctx.bounded(`smtp ${endpointLabel(ep)}`, (signal) => {
    ctx.stats.smtpSessions++;
    return probeSmtp(ep, { ehloName: ctx.config.probe.ehloName, ...(ctx.ca ? { ca: ctx.ca } : {}) }, signal);
  })),
});

/** Like `tlsVersion`, after EHLO and STARTTLS on port 25. */
export const smtpTlsVersion = probeKind({
  name: 'smtpTlsVersion',
  lifetime: 'run',
  key: (ep: Endpoint, version: TlsVersion) => `smtp-tls-version:${version}:${endpointKey(ep)}`,
  load: (ctx, ep, version): Promise<TlsVersionFacts> => ctx.mx(ep, () =>
    ctx.bounded(`smtp tls-version ${version} ${endpointLabel(ep)}`, (signal) => {
      ctx.stats.smtpSessions++;
      return probeSmtpTlsVersion(ep, version, { ehloName: ctx.config.probe.ehloName }, signal);
    })),
});
