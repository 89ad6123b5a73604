import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.ts';
import type { RecordedFact } from '../../src/core/domain-record.ts';
import { ProbeError } from '../../src/core/errors.ts';
import type { Endpoint } from '../../src/core/types.ts';
import { startDnsServer } from '../../src/lab/dns-server.ts';
import type { TlsFacts } from '../../src/probes/types.ts';
import { PROBE_KINDS } from '../../src/runner/probe-kinds/index.ts';
import { probeKind, probeRegistry } from '../../src/runner/probe-kinds/kind.ts';
import { createProbeSession, type FactBroker } from '../../src/runner/probes.ts';
import { createReplayProbes } from '../../src/runner/replay-probes.ts';
import { cleanupAfterEach } from '../support/cleanup.ts';
import { silentLog } from './support/session-scan.ts';

const { defer, track } = cleanupAfterEach();

// A probe kind of a test's own: one object like a module under src/runner/probe-kinds/, and one registry entry.
let echoLoads = 0;
const echo = probeKind({
  name: 'echo',
  key: (name: string, loud?: boolean) => `echo:${name.toLowerCase()}${loud ? ':loud' : ''}`,
  async load(ctx, name, loud): Promise<{ name: string; addresses: readonly string[]; bytes: Buffer; note: string | undefined }> {
    echoLoads++;
    if (name.startsWith('fail')) throw new ProbeError('refused', name, 'nothing listens', { stage: 'connect' });
    const answer = await ctx.probes.dns(name, 'A'); // a kind built on another, through the session
    return { name: loud ? name.toUpperCase() : name, addresses: answer.records, bytes: Buffer.from([1, 2, 3]), note: undefined };
  },
  artifact: (value) => ({ name: value.name }),
});
const KINDS = { ...PROBE_KINDS, ...probeRegistry(echo) };

async function session(options: { broker?: FactBroker } = {}) {
  const dns = track(await startDnsServer({ zone: { 'a.test': { A: ['192.0.2.1'] }, 'b.test': { A: ['192.0.2.2'] } } }));
  const loaded = await buildConfig({ domains: ['a.test'], resolvers: [`127.0.0.1:${dns.port}`], timeouts: { probeMs: 1000 } }, { source: null, baseDir: '/tmp' });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const s = createProbeSession(loaded.config, new AbortController().signal, silentLog, 'test', { kinds: KINDS, ...options });
  defer(() => s.close());
  return s;
}

describe('the probe-kind registry', () => {
  it('keeps the keys reports and journals already hold', () => {
    const ep: Endpoint = { hostname: 'WWW.Example.nl', port: 443, address: '192.0.2.1', dialPort: 8443 };
    const keys = [
      PROBE_KINDS.dns.key('Example.NL.', 'TXT', { checkingDisabled: true }), PROBE_KINDS.endpoints.key('Example.nl', 25),
      PROBE_KINDS.tls.key(ep), PROBE_KINDS.tlsVersion.key(ep, 'TLSv1.2'), PROBE_KINDS.http.key(ep, { url: 'https://www.example.nl/', method: 'HEAD', headers: { origin: 'x' } }),
      PROBE_KINDS.smtp.key(ep), PROBE_KINDS.tlsEnumeration.key(ep), PROBE_KINDS.smtpTlsWeakness.key(ep, 'robot'),
      PROBE_KINDS.ocspResponder.key({ chain: [{ issuer: 'CN=CA', serialNumber: '0A' }] } as unknown as TlsFacts),
    ];
    expect(keys).toEqual([
      'dns:TXT:example.nl:cd', 'endpoints:example.nl:25', 'tls:www.example.nl:443@192.0.2.1:8443',
      'tls-version:TLSv1.2:www.example.nl:443@192.0.2.1:8443', 'http:HEAD https://www.example.nl/ {"origin":"x"} @192.0.2.1:8443',
      'smtp:www.example.nl:443@192.0.2.1:8443', 'tls-enumeration:enum-3:www.example.nl:443@192.0.2.1:8443',
      'smtp-tls-weakness:robot:weak-2:enum-3:www.example.nl:443@192.0.2.1:8443', 'ocsp-responder:ocsp-responder-v1:ocsp-request-v1:CN=CA:0A',
    ]);
  });

  it('files every kind under its own name, and refuses a name twice', () => {
    for (const [name, kind] of Object.entries(PROBE_KINDS)) expect(kind.name).toBe(name);
    expect(() => probeRegistry(echo, echo)).toThrow('probe kind echo registered twice');
  });

  it('a kind added in one module and one entry is cached, recorded, artifacted and replayed', async () => {
    echoLoads = 0;
    const s = await session();
    const scope = s.forDomain('a.test');
    const tracked: string[] = [];
    const probes = scope.probesFor((key) => tracked.push(key));
    const [first, again] = await Promise.all([probes.echo('a.test'), probes.echo('A.test')]);
    expect(again).toBe(first);
    expect(echoLoads).toBe(1);
    await expect(scope.probesFor(() => undefined).echo('fail.test')).rejects.toMatchObject({ reason: 'refused', stage: 'connect' });
    expect(tracked).toEqual(['echo:a.test', 'echo:a.test']);
    const { artifacts, facts } = scope.finish();
    expect(artifacts).toEqual({ 'echo:a.test': { name: 'a.test' } });
    // Only what the checks asked: the A query inside echo's load is not the domain's fact.
    expect(facts.map((f) => f.key)).toEqual(['echo:a.test', 'echo:fail.test']);
    const replayed = createReplayProbes(facts, undefined, KINDS);
    await expect(replayed.echo('a.test')).resolves.toStrictEqual(first);
    await expect(replayed.echo('fail.test')).rejects.toBeInstanceOf(ProbeError);
    await expect(replayed.echo('fail.test')).rejects.toMatchObject({ reason: 'refused', stage: 'connect', message: 'fail.test: nothing listens' });
  });

  it('records a key still pending when its domain finishes as a timeout', async () => {
    const s = await session();
    const scope = s.forDomain('a.test');
    const pending = scope.probesFor(() => undefined).echo('b.test', true);
    const { facts } = scope.finish();
    expect(facts).toEqual([{ key: 'echo:b.test:loud', kind: 'echo', error: expect.objectContaining({ name: 'ProbeError', reason: 'timeout' }) as unknown }]);
    await expect(pending).resolves.toMatchObject({ name: 'B.TEST', addresses: ['192.0.2.2'] });
  });
});

/** Two workers' sessions in one process: facts go through the broker, loaded by whoever claimed them first. */
function memoryBroker() {
  const facts = new Map<string, Promise<RecordedFact>>();
  const publishers = new Map<string, (fact: RecordedFact) => void>();
  const published: RecordedFact[] = [];
  const broker: FactBroker = {
    async claim(key) {
      const known = facts.get(key);
      if (known) return { fact: await known };
      facts.set(key, new Promise((resolve) => publishers.set(key, resolve)));
      return { load: true };
    },
    publish(fact) {
      published.push(fact);
      publishers.get(fact.key)?.(JSON.parse(JSON.stringify(fact)) as RecordedFact); // as across a worker boundary
    },
  };
  return { broker, published };
}

describe('a fact broker between sessions', () => {
  it('loads a key once for both sessions and hands the other the decoded value or the same failure', async () => {
    echoLoads = 0;
    const { broker, published } = memoryBroker();
    const [one, two] = [await session({ broker }), await session({ broker })];
    const first = await one.probesFor(() => undefined).echo('a.test');
    const second = await two.probesFor(() => undefined).echo('a.test');
    expect(echoLoads).toBe(1);
    expect(second).not.toBe(first);
    expect(second).toStrictEqual(first);
    await expect(one.probesFor(() => undefined).echo('fail.test')).rejects.toBeInstanceOf(ProbeError);
    await expect(two.probesFor(() => undefined).echo('fail.test')).rejects.toMatchObject({ name: 'ProbeError', reason: 'refused', stage: 'connect' });
    expect(echoLoads).toBe(2);
    // Nested loads go through the broker too (the A query inside echo), each published once.
    expect(published.map((f) => f.key).sort()).toEqual(['dns:A:a.test', 'echo:a.test', 'echo:fail.test']);
    // The fact the broker handed over is what the receiving domain records.
    const scope = two.forDomain('a.test');
    await scope.probesFor(() => undefined).echo('a.test');
    expect(scope.finish().facts).toEqual([published.find((f) => f.key === 'echo:a.test')]);
  });
});
