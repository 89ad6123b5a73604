import { afterEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.ts';
import type { Config } from '../../src/config/config.ts';
import type { DomainRecord } from '../../src/core/domain-record.ts';
import { startEstate, type Estate, type SiteSpec } from '../../src/lab/estate.ts';
import { PROBE_KINDS } from '../../src/runner/probe-kinds/index.ts';
import type { AnyProbeKind } from '../../src/runner/probe-kinds/kind.ts';
import { createProbeSession, type ProbeSession, type ProbeSessionOptions } from '../../src/runner/probes.ts';
import { runDomain } from '../../src/runner/run.ts';
import { scanSettings } from '../../src/runner/scan-settings.ts';
import { estateConfig, silentLog } from './support/session-scan.ts';

// Issue 11: "MX hosts shared by many domains are probed once per run". Domain A and domain B point at the same MX
// host with many other domains scanned between them, through one probe session whose idle tiers hold only 8
// entries: far fewer than the in-between domains ask, as 4,096 are at 100,000 domains with 2,000 domains between
// those sharing an MX host. The MX host's facts are kept for the run, so B costs it no SMTP session at all.

let estate: Estate | undefined;
afterEach(async () => { await estate?.close(); estate = undefined; });

const MAIL_CHECKS = ALL_CHECKS.filter((c) => c.scope === 'mail');
const RUN_KINDS = new Set(Object.values(PROBE_KINDS as Record<string, AnyProbeKind>).filter((k) => k.lifetime === 'run').map((k) => k.name));

/** A and B share mx.a.mx.test; c1 and c2 have MX hosts of their own; n0..n47 no mail at all (their DNS only). */
function sites(): SiteSpec[] {
  const others: SiteSpec[] = [
    { domain: 'c1.mx.test', mail: {} }, { domain: 'c2.mx.test', mail: {} },
    ...Array.from({ length: 48 }, (_, i): SiteSpec => ({ domain: `n${i}.mx.test` })),
  ];
  return [
    { domain: 'a.mx.test', mail: {} },
    { domain: 'b.mx.test', records: { MX: [{ preference: 10, exchange: 'mx.a.mx.test' }] } },
    ...others,
  ];
}

/** Scans `domains` one after the other (each finished before the next starts) through one session. */
async function scanInTurn(config: Config, session: ProbeSession, domains: readonly string[]): Promise<Map<string, DomainRecord>> {
  const records = new Map<string, DomainRecord>();
  for (const domain of domains) {
    const index = config.targets.findIndex((t) => t.domain === domain);
    records.set(domain, await runDomain({ index, target: config.targets[index]! }, {
      checks: MAIL_CHECKS, scope: session.forDomain(domain), settings: scanSettings(config, () => new Date()),
      checkTimeoutMs: config.probe.checkTimeoutMs, signal: new AbortController().signal, log: silentLog,
    }));
  }
  return records;
}

async function scanAThenOthersThenB(options: ProbeSessionOptions, measure: 'per-address' | 'per-name' = 'per-address', beforeB = () => {}) {
  const all = sites();
  estate = await startEstate(all);
  const config = await estateConfig(estate, all.map((s) => s.domain), { timeouts: { probeMs: 3000 }, tls: { measure } });
  const session = createProbeSession(config, new AbortController().signal, silentLog, 'test', { idleCapacity: 8, ...options });
  const mx = estate.smtpServers[0]!; // a's, the first site with mail
  try {
    const first = await scanInTurn(config, session, ['a.mx.test', ...all.slice(2).map((s) => s.domain)]);
    const sessionsBefore = mx.connections();
    const statsBefore = session.stats.smtpSessions;
    beforeB();
    const last = await scanInTurn(config, session, ['b.mx.test']);
    return {
      a: first.get('a.mx.test')!, b: last.get('b.mx.test')!, sessionsForA: sessionsBefore,
      sessionsForB: mx.connections() - sessionsBefore, countedForB: session.stats.smtpSessions - statsBefore,
    };
  } finally {
    await session.close();
  }
}

const mxFacts = (record: DomainRecord) => record.facts.filter((f) => RUN_KINDS.has(f.kind));

describe('an MX host shared by domains far apart', () => {
  // Per name too: the MX kinds' run lifetime alone keeps them, not the per-address sharing (which keeps the
  // configuration facts of the name it measured through as well).
  it.each(['per-address', 'per-name'] as const)('is measured once per run (%s): the later domain costs it no SMTP session and records the same facts', async (measure) => {
    const { a, b, sessionsForA, sessionsForB, countedForB } = await scanAThenOthersThenB({}, measure);
    expect(sessionsForA).toBeGreaterThan(10); // the session, the STARTTLS versions, enumeration, hygiene, weaknesses
    expect(sessionsForB).toBe(0);
    expect(countedForB).toBe(0);
    expect(mxFacts(a).length).toBeGreaterThan(5);
    expect(mxFacts(b)).toEqual(mxFacts(a));
    expect(b.results.map((r) => [r.checkId, r.status])).toEqual(a.results.map((r) => [r.checkId, r.status]));
  }, 14_000);

  // The MX host's A and AAAA (dns.ipv6-mail) and their DNSSEC validation (mail.dnssec-mx) are questions about a host,
  // not about B: the session knows the MX host from the MX answers and keeps what it asked about it for the run.
  it('asks no DNS question about the MX host for the later domain', async () => {
    const asked: string[] = [];
    const logged = (kind: AnyProbeKind): AnyProbeKind => ({
      ...kind, load: (ctx, ...args: unknown[]) => { asked.push(`${String(args[0]).toLowerCase()} ${String(args[1])}`); return kind.load(ctx, ...args); },
    });
    const kinds = { ...PROBE_KINDS, dns: logged(PROBE_KINDS.dns), dnssecQuestion: logged(PROBE_KINDS.dnssecQuestion) } as typeof PROBE_KINDS;
    let askedBeforeB = 0;
    const { b } = await scanAThenOthersThenB({ kinds }, 'per-address', () => { askedBeforeB = asked.length; });
    const aboutMxHost = (questions: readonly string[]) => questions.filter((q) => q.startsWith('mx.a.mx.test '));
    expect(aboutMxHost(asked.slice(0, askedBeforeB))).toEqual(expect.arrayContaining(['mx.a.mx.test A', 'mx.a.mx.test AAAA']));
    expect(asked.slice(askedBeforeB).filter((q) => q.startsWith('b.mx.test ')).length).toBeGreaterThan(0); // B's own are asked
    expect(aboutMxHost(asked.slice(askedBeforeB))).toEqual([]);
    expect(b.facts.map((f) => f.key)).toEqual(expect.arrayContaining(['dns:AAAA:mx.a.mx.test', 'dnssec:v1:A:mx.a.mx.test.']));
  }, 14_000);

  it('without the run lifetime, the idle tiers drop the MX host long before B asks (the cause this fixes)', async () => {
    const perDomain = Object.fromEntries(Object.entries(PROBE_KINDS).map(([name, kind]) => [name, { ...kind, lifetime: 'domain' }])) as typeof PROBE_KINDS;
    const { sessionsForA, sessionsForB } = await scanAThenOthersThenB({ kinds: perDomain }, 'per-name');
    expect(sessionsForB).toBeGreaterThan(sessionsForA / 2);
  }, 14_000);
});

describe('a web address shared by names far apart', () => {
  it('keeps its TLS configuration, measured through the first name, for the run: later names pay only their fingerprint', async () => {
    const names = ['w0', 'w1', 'w2', 'w3'].map((n) => `${n}.web.test`);
    estate = await startEstate(names.map((domain): SiteSpec => ({ domain, https: { routes: {} } })));
    const config = await estateConfig(estate, names);
    const session = createProbeSession(config, new AbortController().signal, silentLog, 'test', { idleCapacity: 8 });
    const https = estate.servers[0]!;
    try {
      // Twenty domains asking DNS only, between each two names: far more than the idle tiers hold.
      let other = 0;
      const flush = async () => {
        for (let i = 0; i < 20; i++, other++) {
          const scope = session.forDomain(`other${other}.test`);
          await scope.probesFor(() => undefined).dns(`other${other}.test`, 'A').catch(() => undefined);
          scope.finish();
        }
      };
      const enumerate = async (name: string) => {
        const before = https.connections();
        const scope = session.forDomain(name);
        const probes = scope.probesFor(() => undefined);
        const [ep] = (await probes.endpoints(name, 443)).endpoints;
        const facts = await probes.tlsEnumeration(ep!);
        scope.finish();
        await flush();
        return { sharedFrom: facts.sharedFrom?.measuredThrough.split(':')[0], connections: https.connections() - before, suites: facts.versions };
      };
      const [w0, w1, w2, w3] = [await enumerate(names[0]!), await enumerate(names[1]!), await enumerate(names[2]!), await enumerate(names[3]!)];
      // What w0's domain asked went with the idle tiers long before w1, except the facts its address's names share.
      expect([w0.sharedFrom, w1.sharedFrom, w2.sharedFrom, w3.sharedFrom]).toEqual([undefined, 'w0.web.test', 'w0.web.test', 'w0.web.test']);
      expect(w0.connections).toBeGreaterThan(15);
      expect([w1.connections, w2.connections, w3.connections]).toEqual([5, 5, 5]); // each name's own fingerprint: five hellos
      expect(w3.suites).toEqual(w0.suites);
    } finally {
      await session.close();
    }
  }, 14_000);
});
