import { defineCheck, fail, pass, skip, warn } from '../../src/core/check.ts';
import type { CheckContext } from '../../src/core/check.ts';
import { parseDkimKey } from '../../src/parse/dkim.ts';
import { pickWorst } from '../../src/core/endpoints.ts';

type Verdict = 'pass' | 'warn' | 'fail';

type DkimSelectorEvidence = {
  selector: string; name: string; result: string; records: readonly string[]; cnames: readonly string[];
  keyType: string | null; keyBits: number | null; testing: boolean; status: Verdict; finding: string;
};

/** RFC 8301 3.2: verifiers need only handle RSA keys up to 4096 bits. */
const MAX_VERIFIABLE_RSA_BITS = 4096;

const REMEDIATION = 'For every selector your mail is signed with, publish one TXT record at <selector>._domainkey.<domain> '
  + 'with "v=DKIM1; k=rsa; p=<2048-bit public key>" (or an Ed25519 key next to an RSA one), and drop t=y once signing works.';

/** `mail.dkim`: each configured selector's key record exists, parses, is not revoked or testing, and is strong enough. */
export const dkimCheck = defineCheck({
  id: 'mail.dkim',
  title: 'Every configured DKIM selector publishes a usable, strong public key',
  promises: ['mail-anti-spoofing'],
  scope: 'mail',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 6376 3.6.1', 'RFC 8301 3.1-3.2', 'RFC 8463 3',
    'Selectors cannot be discovered: without configured selectors the check is skipped, never passed on _domainkey existing'],

  async run(ctx) {
    const { target } = ctx;
    if (target.profile === 'parked') return skip('Parked domain sends no mail, so it needs no DKIM key', 'not-applicable');
    if (target.dkimSelectors.length === 0) {
      return skip('No DKIM selectors configured; add them as dkimSelectors (the s= tag of a DKIM-Signature header '
        + 'in mail you sent shows them)', 'not-configured');
    }
    const selectors = await Promise.all(target.dkimSelectors.map((s) => judgeSelector(ctx, s)));
    const worst = pickWorst(selectors, (s) => s.status);
    const evidence = { domain: target.domain, selectors };
    if (worst.status === 'pass') {
      return pass(`DKIM keys valid: ${selectors.map((s) => `${s.selector} (${s.keyType} ${s.keyBits} bits)`).join(', ')}`, evidence);
    }
    const summary = selectors.filter((s) => s.status !== 'pass').map((s) => `${s.selector}: ${s.finding}`).join('; ');
    return worst.status === 'fail' ? fail(summary, evidence, REMEDIATION) : warn(summary, evidence, REMEDIATION);
  },
});

async function judgeSelector({ probes, target, settings }: CheckContext, selector: string): Promise<DkimSelectorEvidence> {
  const name = `${selector}._domainkey.${target.domain}`;
  const answer = await probes.dns(name, 'TXT');
  const base = {
    selector, name, result: answer.result, records: answer.records, cnames: answer.cnames, keyType: null, keyBits: null, testing: false,
  };
  const verdict = (status: Verdict, finding: string) => ({ ...base, status, finding });
  const [text, ...others] = answer.records;
  if (text === undefined) return verdict('fail', `no TXT record at ${name} (${answer.result})`);
  if (others.length > 0) return verdict('fail', `${answer.records.length} TXT records; verifiers may use any one (RFC 6376 3.6.2.2)`);
  const parsed = parseDkimKey(text);
  if (!parsed.ok) return verdict('fail', `invalid key record: ${parsed.problem}`);
  const { key } = parsed;
  const judged = { ...base, keyType: key.keyType, keyBits: key.keyBits, testing: key.testing };
  const at = (status: Verdict, finding: string) => ({ ...judged, status, finding });
  const { dkimMinRsaBits, dkimWarnRsaBits } = settings.thresholds;
  if (key.revoked) return at('fail', 'key revoked (empty p=)');
  const bits = key.keyBits ?? 0;
  if (key.keyType === 'rsa' && bits < dkimMinRsaBits) return at('fail', `RSA key of ${bits} bits is below ${dkimMinRsaBits}`);
  if (key.keyType === 'rsa' && bits < dkimWarnRsaBits) return at('warn', `RSA key of ${bits} bits is below ${dkimWarnRsaBits}`);
  if (key.keyType === 'rsa' && bits > MAX_VERIFIABLE_RSA_BITS) {
    return at('warn', `RSA key of ${bits} bits; verifiers need only support up to ${MAX_VERIFIABLE_RSA_BITS} (RFC 8301 3.2)`);
  }
  if (key.testing) return at('warn', 't=y: the domain declares it is only testing DKIM (RFC 6376 3.6.1)');
  if (parsed.notes.length > 0) return at('warn', parsed.notes.join('; '));
  return at('pass', `${key.keyType} key of ${bits} bits`);
}
