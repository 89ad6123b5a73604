import { defineCheck, fail, pass, skip } from '../../src/core/check.ts';
import { ProbeError } from '../../src/core/errors.ts';
import { evaluateSpf } from '../../src/eval/spf.ts';

type SenderResult = {
  ip: string; result: string; mechanism: string | null; explanation: string | null;
  path: readonly string[]; problem: string | null; lookups: number; voidLookups: number;
};
type SpfSendersEvidence = { domain: string; sender: string; results: readonly SenderResult[] };

const REMEDIATION = 'Authorise every configured sending IP in the domain\'s SPF record (for example with "ip4:<address>", '
  + '"ip6:<address>" or the provider\'s "include:"), so that check_host() returns pass for each of them.';

/**
 * `mail.spf-senders`: runs check_host() for every configured sending IP as postmaster@<domain>; all must pass.
 * Skipped when no `sendingIps` are configured, since senders cannot be discovered from DNS.
 */
export const spfSendersCheck = defineCheck({
  id: 'mail.spf-senders',
  title: 'Every declared sending IP passes the domain\'s SPF policy',
  promises: ['mail-anti-spoofing'],
  scope: 'mail',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 7208 4 (check_host), 2.6 (results)',
    'Evaluated as MAIL FROM postmaster@<domain> with HELO <domain>; any result other than pass fails, temperror is inconclusive'],

  async run({ target, probes, settings }) {
    if (target.sendingIps.length === 0) {
      return skip('No sending IPs configured; list the addresses that send mail for this domain as sendingIps', 'not-configured');
    }
    const sender = `postmaster@${target.domain}`;
    const now = settings.now();
    // check_host() folds a DNS failure into temperror text; the probe errors are kept so a timeout stays a timeout.
    const causes = new Map<string, ProbeError[]>();
    const results: SenderResult[] = await Promise.all(target.sendingIps.map(async (ip) => {
      const seen: ProbeError[] = [];
      causes.set(ip, seen);
      const dns: typeof probes.dns = (name, type) => probes.dns(name, type).catch((err: unknown) => {
        if (err instanceof ProbeError) seen.push(err);
        throw err;
      });
      const spf = await evaluateSpf({ ip, domain: target.domain, sender, helo: target.domain, dns, now });
      return { ip, ...spf };
    }));
    const evidence: SpfSendersEvidence = { domain: target.domain, sender, results };
    const describe = (r: SenderResult) => `${r.ip}: ${r.result} (${r.problem ?? r.mechanism ?? 'no match'})`;
    // A definite non-pass is evidence on its own; a temperror for another IP cannot change that verdict.
    const refused = results.filter((r) => r.result !== 'pass' && r.result !== 'temperror');
    if (refused.length > 0) return fail(`Not authorised by SPF: ${refused.map(describe).join('; ')}`, evidence, REMEDIATION);
    const unknown = results.filter((r) => r.result === 'temperror');
    if (unknown.length > 0) {
      const summary = `SPF could not be evaluated: ${unknown.map(describe).join('; ')}`;
      const cause = unknown.flatMap((r) => causes.get(r.ip) ?? [])[0];
      return { status: 'error', reason: cause?.reason ?? 'dns-failure', summary, evidence };
    }
    return pass(`All ${results.length} sending IPs pass SPF: ${results.map((r) => `${r.ip} (${r.mechanism})`).join(', ')}`, evidence);
  },
});
