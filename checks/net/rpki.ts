import net from 'node:net';
import { defineCheck, skip } from '../../src/core/check.ts';
import { probeFailure, worstOf, type Judged, type Verdict } from '../../src/core/endpoints.ts';
import type { JsonObject } from '../../src/core/types.ts';
import { dependedAddresses, type RoleAddress } from '../../src/net-depth/addresses.ts';
import type { Probes } from '../../src/probes/types.ts';
import { originQueryName, parseOriginTxt } from '../../src/rpki/cymru.ts';
import type { RpkiConfig } from '../../src/config/network-depth.ts';

const REMEDIATION = 'Ask whoever announces the prefixes of these addresses (the hosting or network provider, or your own '
  + 'network team) to publish ROAs that name the origin AS and the announced prefix length (RFC 6482), and to '
  + 'correct an announcement that its ROAs make invalid: networks that drop RPKI-invalid routes cannot reach it.';

const STATUS = { valid: 'pass', invalid: 'fail', 'not-found': 'warn' } as const;

/** One address: its announced routes, each with its validity; the worst route decides. */
async function judgeAddress(probes: Probes, rpki: RpkiConfig & { originZone: string }, row: RoleAddress): Promise<Verdict> {
  const name = originQueryName(row.address, rpki.originZone, rpki.originZone6 ?? '');
  if (!name) return { status: 'error', reason: 'protocol', summary: `not an IP address: ${row.address}`, evidence: {} };
  const txt = await probes.dns(name, 'TXT');
  const origins = txt.records.map(parseOriginTxt);
  const broken = origins.filter((o) => !o.ok).map((o) => (o.ok ? '' : o.problem));
  if (broken.length > 0) return { status: 'error', reason: 'protocol', summary: `unreadable origin record at ${name}: ${broken.join('; ')}`, evidence: { originName: name, originRecords: [...txt.records] } };
  const routes = origins.flatMap((o) => (o.ok ? o.origin.asns.map((asn) => ({ asn, prefix: o.origin.prefix, country: o.origin.country, registry: o.origin.registry })) : []));
  const base = { originName: name, originRecords: [...txt.records] };
  if (routes.length === 0) {
    return { status: 'warn', summary: `not announced according to ${name} (${txt.result}): no origin AS to validate`, evidence: { ...base, routes: [] } };
  }
  const judged = await Promise.all(routes.map(async (route) => {
    const validity = await probes.rpkiValidity(route.asn, route.prefix);
    return { ...route, asn: `AS${route.asn}`, state: validity.state, source: validity.source,
      matched: validity.matched.map((v) => `${v.asn} ${v.prefix} max ${v.maxLength}`),
      unmatchedAs: validity.unmatchedAs.map((v) => `${v.asn} ${v.prefix} max ${v.maxLength}`),
      unmatchedLength: validity.unmatchedLength.map((v) => `${v.asn} ${v.prefix} max ${v.maxLength}`) };
  }));
  const worst = judged.find((r) => r.state === 'invalid') ?? judged.find((r) => r.state === 'not-found') ?? judged[0]!;
  const words = { valid: 'RPKI-valid', invalid: 'RPKI-invalid', 'not-found': 'not covered by any ROA (RPKI not-found)' }[worst.state];
  return { status: STATUS[worst.state], summary: `${worst.prefix} from ${worst.asn} is ${words}`, evidence: { ...base, routes: judged as unknown as JsonObject[] } };
}

/** `net.rpki`: every address the domain depends on is announced by an origin its ROAs allow (RFC 6811). */
export const rpkiCheck = defineCheck({
  id: 'net.rpki',
  title: 'The routes to the web, name-server and MX addresses are RPKI-valid',
  promises: ['infrastructure-security'],
  scope: 'domain',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 6811 2 (origin validation states)', 'RFC 6482 (ROAs)', 'RFC 6483 4 (AS 0)',
    'internet.nl: RPKI for web, name-server and MX addresses: invalid fails, not-found warns',
    'Origins from a DNS TXT zone in the Team Cymru format (rpki.originZone); validity from rpki.validator (an HTTP validity API or a VRP export)'],

  async run({ target, probes, settings }) {
    const rpki = settings.rpki;
    const missing = [...(rpki.originZone === null ? ['rpki.originZone (where route origins come from)'] : []),
      ...(rpki.validator === null ? ['rpki.validator (a validator URL or a VRP file)'] : [])];
    if (missing.length > 0 || rpki.originZone === null) return skip(`RPKI origin validation is not configured: set ${missing.join(' and ')}`, 'not-configured');
    const configured = { ...rpki, originZone: rpki.originZone };
    const all = await dependedAddresses(probes, target);
    const judgeable = all.filter((a) => net.isIPv4(a.address) || rpki.originZone6 !== null);
    const notJudged = all.filter((a) => !judgeable.includes(a)).map((a) => a.address);
    if (judgeable.length === 0) {
      return skip(all.length === 0 ? `${target.domain} has no web, name-server or MX address to validate`
        : `Only IPv6 addresses, and no rpki.originZone6 is configured: ${notJudged.join(', ')}`, all.length === 0 ? 'not-applicable' : 'not-configured');
    }
    const rows = await Promise.all(judgeable.map(async (row): Promise<Judged> => ({
      label: row.address, facts: { address: row.address, roles: [...row.roles] },
      verdict: await judgeAddress(probes, configured, row).catch(probeFailure),
    })));
    return worstOf(rows, {
      summary: (worst) => (rows.length === 1 ? `${worst.label}: ${worst.verdict.summary}` : `${worst.label} (${(worst.facts['roles'] as string[]).join(', ')}): ${worst.verdict.summary}`),
      evidence: (addresses) => ({ addresses, notJudged }),
      remediation: REMEDIATION,
    });
  },
});
