import { defineCheck, fail, pass, warn } from '../../src/core/check.ts';
import { parseMxRecords } from '../../src/parse/mx.ts';
import { SMTP_PORT } from './mx-endpoints.ts';


const REMEDIATION = 'Publish MX records naming hosts that have A and/or AAAA records; for a domain that receives no mail '
  + 'publish only the null MX "0 ." (RFC 7505).';

/** `mail.mx`: mail-enabled domains name MX hosts that resolve; parked ones publish a null MX or none. */
export const mxCheck = defineCheck({
  id: 'mail.mx',
  title: 'The domain names mail servers that resolve (or a null MX when it receives no mail)',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 5321 5.1', 'RFC 7505 3-4',
    'No MX fails for a mail-enabled domain: the implicit MX (the A record) is not counted as a mail setup'],

  async run({ target, probes }) {
    const parked = target.profile === 'parked';
    const answer = await probes.dns(target.domain, 'MX');
    const mx = parseMxRecords(answer.records);
    const base = { domain: target.domain, profile: target.profile, result: answer.result, records: answer.records, nullMx: mx.nullMx };
    if (mx.malformed.length > 0) return fail(`Malformed MX records: ${mx.malformed.join(', ')}`, base, REMEDIATION);
    if (mx.mixedNullMx) return fail('Null MX "0 ." published next to other MX records, which RFC 7505 3 forbids', base, REMEDIATION);
    if (mx.nullMx) {
      return parked
        ? pass('Null MX: the domain declares it accepts no mail (RFC 7505)', base)
        : fail('Null MX: the domain declares it accepts no mail (RFC 7505), but it is configured as mail-enabled', base, REMEDIATION);
    }
    if (mx.records.length === 0) {
      if (parked) return pass(`No MX records (${answer.result}); the domain is parked`, base);
      return fail(`No MX records (${answer.result}); RFC 5321 5.1 would fall back to the domain's A record, `
        + 'which Vouch does not count as a mail setup', base, REMEDIATION);
    }
    const hosts = await Promise.all(mx.records.map(async ({ preference, exchange }) => {
      const set = await probes.endpoints(exchange, SMTP_PORT);
      return { preference, host: exchange, source: set.source, addresses: set.endpoints.map((e) => e.address) };
    }));
    const evidence = { ...base, hosts };
    const unresolved = hosts.filter((h) => h.addresses.length === 0).map((h) => h.host);
    if (unresolved.length > 0) return fail(`MX host(s) without A or AAAA records: ${unresolved.join(', ')}`, evidence, REMEDIATION);
    const list = hosts.map((h) => `${h.preference} ${h.host} (${h.addresses.join(', ')})`).join('; ');
    if (parked) return warn(`Parked domain still names MX hosts: ${list}; publish a null MX instead`, evidence, REMEDIATION);
    return pass(`${hosts.length} MX host(s): ${list}`, evidence);
  },
});
