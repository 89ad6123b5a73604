import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.ts';
import type { Config } from '../../src/config/config.ts';
import type { DomainRecord } from '../../src/core/domain-record.ts';
import { startEstate, type Estate } from '../../src/lab/estate.ts';
import { startOcspResponder } from '../../src/lab/ocsp-responder.ts';
import { decode, encode } from '../../src/runner/fact-codec.ts';
import { PROBE_KINDS } from '../../src/runner/probe-kinds/index.ts';
import { createProbeSession } from '../../src/runner/probes.ts';
import { createReplayProbes, recordedArtifacts } from '../../src/runner/replay-probes.ts';
import { runDomain } from '../../src/runner/run.ts';
import { scanSettings } from '../../src/runner/scan-settings.ts';
import { GOOD_HEADERS } from '../../src/demo/sites.ts';
import { cleanupAfterAll } from '../support/cleanup.ts';
import { estateConfig, scanThroughSession, silentLog, verdictOf, type SessionScan } from './support/session-scan.ts';

// Issue 11, record and replay: one scan of a small lab estate (web and mail, a closed port for failures, a CA's
// OCSP responder) with every check; each probe answer a check got must survive the journal's JSON losslessly, and
// the checks re-run on the recorded facts alone must reach the same verdicts.

const { track } = cleanupAfterAll();
const NOW = new Date();
let estate: Estate;
let config: Config;
let scan: SessionScan;
const connectionsAtLab = () => estate.servers.reduce((n, s) => n + s.connections(), 0) + estate.smtpServers.reduce((n, s) => n + s.connections(), 0);

beforeAll(async () => {
  const responder = track(await startOcspResponder());
  const page = { '/': { status: 200, headers: GOOD_HEADERS, body: '<html>ok</html>' } };
  estate = track(await startEstate([
    { domain: 'one.rec.test', https: { routes: page, ocspUrl: responder.urlFor('good') }, http: 'redirect', mail: {} },
    { domain: 'two.rec.test', https: { routes: page, tls: { staple: 'none' } }, http: 'redirect', mail: { variant: 'no-starttls' } },
    { domain: 'closed.rec.test', https: 'closed', http: 'closed' },
  ]));
  responder.answerFor(estate.ca);
  config = await estateConfig(estate, ['one.rec.test', 'two.rec.test', 'closed.rec.test'], { ocsp: { queryResponder: true } });
  scan = await scanThroughSession(config, ALL_CHECKS, NOW);
  // No check asks smtpTlsVersion, and tlsVersion only with `tlsVersionProbe: node`: asked here directly.
  const session = createProbeSession(await estateConfig(estate, ['one.rec.test'], { tlsVersionProbe: 'node' }), new AbortController().signal, silentLog, 'test');
  try {
    const probes = session.probesFor(() => undefined);
    const [web] = (await probes.endpoints('one.rec.test', 443)).endpoints;
    const [mx] = (await probes.endpoints('mx.one.rec.test', 25)).endpoints;
    for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
      scan.raw.set(`web ${version}`, { kind: 'tlsVersion', key: version, value: await probes.tlsVersion(web!, version) });
      scan.raw.set(`mx ${version}`, { kind: 'smtpTlsVersion', key: version, value: await probes.smtpTlsVersion(mx!, version) });
    }
  } finally {
    await session.close();
  }
  // Issue 13's kinds, which the estate (no delegation, no IPv6, no RPKI sources) gives no check reason to ask.
  const vrps = join(await mkdtemp(join(tmpdir(), 'vouch-vrps-')), 'vrps.json');
  await writeFile(vrps, JSON.stringify({ roas: [{ asn: 'AS64500', prefix: '127.0.0.0/8', maxLength: 24 }] }));
  const depth = createProbeSession(await estateConfig(estate, ['one.rec.test'], { rpki: { validator: vrps } }), new AbortController().signal, silentLog, 'test');
  try {
    const probes = depth.probesFor(() => undefined);
    scan.raw.set('ns', { kind: 'nameServerSoa', key: 'ns', value: await probes.nameServerSoa('one.rec.test', 'one.rec.test') });
    scan.raw.set('ipv6', { kind: 'ipv6Client', key: 'ipv6', value: await probes.ipv6Client('::1') });
    scan.raw.set('rpki', { kind: 'rpkiValidity', key: 'rpki', value: await probes.rpkiValidity(64500, '127.0.0.0/24') });
    // Vouch's DNSSEC validator asks these through the session, unrecorded: asked here directly.
    scan.raw.set('dnssec question', { kind: 'dnssecQuestion', key: 'soa', value: await probes.dnssecQuestion('one.rec.test', 'SOA') });
  } finally {
    await depth.close();
  }
}, 30_000);

const jsonRoundTrip = (value: unknown): unknown => decode(JSON.parse(JSON.stringify(encode(value))));

describe('the fact codec on real probe answers', () => {
  // A browser visit needs Chromium: test/browser/scan.test.ts reads its facts back from a real scan's journal.
  it.each(Object.keys(PROBE_KINDS).filter((k) => k !== 'browser'))('%s: every answer decodes to a deep-equal value after JSON', (kind) => {
    const answers = [...scan.raw.values()].filter((a) => a.kind === kind);
    expect(answers.length, `no ${kind} answer in the lab scan`).toBeGreaterThan(0);
    for (const answer of answers) expect(jsonRoundTrip(answer.value), answer.key).toStrictEqual(answer.value);
  });

  it('records each domain\'s facts sorted by key, the failures with their class, and artifacts only for values', () => {
    const closed = scan.records.find((r) => r.domain === 'closed.rec.test')!;
    const failures = closed.facts.filter((f) => 'error' in f);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.some((f) => 'error' in f && f.error.name === 'ProbeError' && f.error.reason === 'refused' && f.error.stage === 'connect')).toBe(true);
    for (const record of scan.records) {
      const keys = record.facts.map((f) => f.key);
      expect(keys).toEqual([...keys].sort());
      expect(Object.keys(record.artifacts)).toEqual(record.facts.filter((f) => 'value' in f).map((f) => f.key));
      expect(recordedArtifacts(record.facts)).toEqual(record.artifacts);
      // Every key a result cites has its fact recorded.
      for (const result of record.results) for (const key of result.artifacts) expect(keys).toContain(key);
      for (const fact of record.facts) {
        if ('value' in fact) expect(decode(JSON.parse(JSON.stringify(fact.value))), fact.key).toStrictEqual(scan.raw.get(fact.key)?.value);
      }
    }
  });
});

describe('replay', () => {
  const replay = async (record: DomainRecord) => runDomain({ index: record.index, target: config.targets[record.index]! }, {
    // Judged at the instant the scan judged the domain (its recorded start), as `vouch replay` does.
    checks: ALL_CHECKS, settings: scanSettings(config, () => new Date(record.startedAt)),
    checkTimeoutMs: 5_000, signal: new AbortController().signal, log: silentLog,
    scope: { probesFor: (track) => createReplayProbes(record.facts, track), finish: () => ({ artifacts: record.artifacts, facts: [...record.facts] }) },
  });

  it('re-judges every domain from its record alone to the same verdicts, without a connection', async () => {
    const before = connectionsAtLab();
    for (const record of scan.records) {
      const replayed = await replay(record);
      expect(replayed.results.map(verdictOf), record.domain).toEqual(record.results.map(verdictOf));
    }
    expect(connectionsAtLab()).toBe(before);
    // The scan judged something: passes, and failures (among them https.available's, from a recorded refusal).
    const statuses = new Set(scan.records.flatMap((r) => r.results.map((x) => x.status)));
    expect(statuses).toContain('pass');
    expect(statuses).toContain('fail');
  });

  it('answers a call that was not recorded with client-limitation, naming the key', async () => {
    const probes = createReplayProbes(scan.records[0]!.facts);
    await expect(probes.dns('never.rec.test', 'A')).rejects.toMatchObject({
      name: 'ProbeError', reason: 'client-limitation', message: 'replay: not in the recorded scan: dns:A:never.rec.test',
    });
  });
});
