import dgram from 'node:dgram';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.ts';
import { startDnsServer, type DnsServer } from '../../src/lab/dns-server.ts';
import { createProbeSession } from '../../src/runner/probes.ts';
import { cleanupAfterEach } from '../support/cleanup.ts';

const { defer } = cleanupAfterEach();

describe('DNS failover through the probe session', () => {
  it('fails over from a silent first resolver to the second within the probe timeout', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    defer(() => { silent.close(); });
    const live: DnsServer = await startDnsServer({ zone: { 'a.test': { A: ['192.0.2.7'] } } });
    defer(() => live.close());
    const loaded = await buildConfig({
      domains: ['a.test'], resolvers: [`127.0.0.1:${silent.address().port}`, `127.0.0.1:${live.port}`], timeouts: { probeMs: 1000 },
    }, { source: null, baseDir: '/tmp' });
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    const session = createProbeSession(loaded.config, new AbortController().signal, pino({ level: 'silent' }), 'test');
    defer(() => session.close());
    const answer = await session.probesFor(() => undefined).dns('a.test', 'A');
    expect(answer).toMatchObject({ result: 'records', records: ['192.0.2.7'], resolver: `127.0.0.1:${live.port}` });
  });

  it('refuses an empty resolver list in the configuration', async () => {
    const loaded = await buildConfig({ domains: ['a.test'], resolvers: [] }, { source: null, baseDir: '/tmp' });
    expect(loaded).toMatchObject({ ok: false, problems: ['resolvers: must name at least one resolver (leave it out to use /etc/resolv.conf)'] });
  });
});
