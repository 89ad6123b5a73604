import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.ts';
import { startEstate } from '../../src/lab/estate.ts';
import { inProcessLimits, type ConnectionLimits } from '../../src/runner/probes.ts';
import { cleanupAfterEach } from '../support/cleanup.ts';
import { GOOD_HEADERS } from '../../src/demo/sites.ts';
import { startCountingProxy } from './support/counting-proxy.ts';
import { estateConfig, scanThroughSession } from './support/session-scan.ts';

// Issue 11, politeness per destination address: names hosted on one address share its `connectionsPerHost`
// connections, whatever their number (before, each name had its own limit, so a shared-hosting address saw
// names x limit connections at once).

const { track } = cleanupAfterEach();
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `${n}.shared.test`);
// Probes that hold their connection slot for as long as the connection is open (raw hellos, renegotiation,
// resumption, weakness conversations); per-name measurement, so every name opens its own connections.
const CHECKS = ALL_CHECKS.filter((c) => ['tls.protocol-versions', 'tls.cipher-suites', 'tls.client-renegotiation', 'tls.zero-rtt', 'tls.known-weaknesses'].includes(c.id));

async function scanSharedAddress(limits?: ConnectionLimits) {
  const page = { '/': { status: 200, headers: GOOD_HEADERS } };
  const estate = track(await startEstate(NAMES.map((domain) => ({ domain, https: { routes: page } }))));
  const https = estate.servers[0]!;
  const proxy = track(await startCountingProxy(https.port));
  const config = await estateConfig(estate, NAMES, {
    // Every name's port 443 is the proxy on 127.0.0.1: one destination address and port for all six.
    connectTo: [...NAMES.map((n) => `${n}:443::${proxy.port}`), ...estate.connectTo],
    tls: { measure: 'per-name' }, concurrency: { connectionsPerHost: 2 },
  });
  const { records } = await scanThroughSession(config, CHECKS, new Date(), limits ? { limits } : {});
  return { proxy, records };
}

describe('per-address connection limits', () => {
  it('six names on one address get at most connectionsPerHost (2) connections at a time in all', async () => {
    const { proxy, records } = await scanSharedAddress();
    expect(records.flatMap((r) => r.results).filter((r) => r.status === 'error')).toEqual([]);
    const counts = await proxy.counts();
    expect(counts.connections).toBeGreaterThan(6 * 20); // each name measured on its own
    expect(counts.maxOpen).toBeLessThanOrEqual(2);
  }, 20_000);

  it('the proxy does see more at once when nothing limits them (so the test above can fail)', async () => {
    const unlimited: ConnectionLimits = (_pool, _key, _concurrency, work) => work();
    const { proxy } = await scanSharedAddress(unlimited);
    expect((await proxy.counts()).maxOpen).toBeGreaterThan(2);
  }, 20_000);
});

describe('inProcessLimits', () => {
  const gate = () => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => { open = resolve; });
    return { opened, open };
  };

  it('runs at most `concurrency` per key, first come first served, and other keys independently', async () => {
    const limits = inProcessLimits();
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const run = (key: string, id: string) => limits('web', key, 2, async () => {
      started.push(id);
      const g = gate();
      gates.set(id, g);
      await g.opened;
      return id;
    });
    const all = [run('x', 'x1'), run('x', 'x2'), run('x', 'x3'), run('x', 'x4'), run('y', 'y1'), run('mx-only', 'm1')];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['x1', 'x2', 'y1', 'm1']);
    gates.get('x2')!.open();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['x1', 'x2', 'y1', 'm1', 'x3']);
    for (const id of ['x1', 'x3', 'y1', 'm1']) gates.get(id)!.open();
    await new Promise((resolve) => setImmediate(resolve));
    gates.get('x4')!.open();
    expect(await Promise.all(all)).toEqual(['x1', 'x2', 'x3', 'x4', 'y1', 'm1']);
  });

  it('frees the slot when the work fails', async () => {
    const limits = inProcessLimits();
    await expect(limits('mx', 'k', 1, () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(limits('mx', 'k', 1, () => Promise.resolve(7))).resolves.toBe(7);
  });
});
