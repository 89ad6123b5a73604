import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askResolvers, preflightVerdict, scanNeedsDns } from '../../src/cli/resolver-preflight.ts';
import { parseConnectTo } from '../../src/config/parse-values.ts';
import { defaultTarget } from '../../src/config/defaults.ts';
import type { Check } from '../../src/core/check.ts';
import type { ConnectToRule } from '../../src/config/config.ts';
import { startDnsServer, type DnsServer } from '../../src/lab/dns-server.ts';

describe('preflightVerdict', () => {
  it('goes on quietly when every resolver answers', () => {
    expect(preflightVerdict([{ resolver: '127.0.0.1:53', silent: null }])).toEqual({ stop: null, warnings: [] });
  });

  it('stops with one line naming every silent resolver when none answers', () => {
    expect(preflightVerdict([{ resolver: '10.1.2.3:53', silent: 'timeout after 5000 ms' }, { resolver: '[2001:db8::53]:53', silent: 'timeout after 5000 ms' }])).toEqual({
      stop: 'DNS resolver 10.1.2.3:53 does not answer (timeout after 5000 ms); DNS resolver [2001:db8::53]:53 does not answer (timeout after 5000 ms): '
        + 'nothing was scanned (check --resolver, "resolvers:" or /etc/resolv.conf)',
      warnings: [],
    });
  });

  it('warns once per silent resolver when another answers, saying what it costs in failover order', () => {
    const silent = (resolver: string) => ({ resolver, silent: 'timeout after 400 ms' });
    expect(preflightVerdict([silent('10.1.2.3:53'), { resolver: '127.0.0.1:53', silent: null }, silent('10.1.2.4:53')])).toEqual({
      stop: null,
      warnings: [
        'DNS resolver 10.1.2.3:53 does not answer (timeout after 400 ms); scanning with 127.0.0.1:53, every query waits for it first',
        'DNS resolver 10.1.2.4:53 does not answer (timeout after 400 ms); scanning with 127.0.0.1:53, asked only when those fail',
      ],
    });
  });
});

describe('scanNeedsDns', () => {
  const check = (scope: Check['scope'], needs: Check['needs']) => ({ scope, needs });
  const rules = (...texts: string[]): ConnectToRule[] => texts.map((t) => { const p = parseConnectTo(t); if (!p.ok) throw new Error(p.problem); return p.value; });
  const web = { ...defaultTarget('a.example.nl'), mail: false };

  it.each([
    ['a DNS check', [defaultTarget('a.example.nl')], [], [check('domain', ['dns'])], true],
    ['a mail check on a mail domain', [defaultTarget('a.example.nl')], rules('a.example.nl:443:127.0.0.1:8443'), [check('mail', ['dns', 'mail'])], true],
    ['a mail check, but mail is off', [web], rules('a.example.nl:443:127.0.0.1:8443'), [check('mail', ['dns', 'mail'])], false],
    ['a web check on a name without an address rule', [web], [], [check('web', ['web'])], true],
    ['a web check on a name whose rule keeps the resolved address', [web], rules('a.example.nl:443::8443'), [check('web', ['web'])], true],
    ['a web check on a pinned name (the lab)', [web], rules('a.example.nl:443:127.0.0.1:8443'), [check('web', ['web'])], false],
    ['a web check with a catch-all address rule', [web], rules('::127.0.0.1:'), [check('web', ['web'])], false],
    ['a web check, web off', [{ ...web, web: false }], [], [check('web', ['web'])], false],
  ])('%s: %s', (_what, targets, connectTo, checks, needed) => {
    expect(scanNeedsDns({ targets, connectTo }, checks)).toBe(needed);
  });
});

describe('askResolvers, on loopback', () => {
  let dns: DnsServer;
  let silent: dgram.Socket;
  let silentPort: number;
  beforeAll(async () => {
    dns = await startDnsServer({ zone: { 'ok.preflight.test': { SOA: [{ mname: 'ns.preflight.test', rname: 'h.preflight.test' }] }, 'sf.preflight.test': { servfail: true } } });
    // Takes every question and never answers: a resolver behind a firewall that drops DNS.
    silent = dgram.createSocket('udp4');
    await new Promise<void>((done) => silent.bind(0, '127.0.0.1', done));
    silentPort = silent.address().port;
  });
  afterAll(async () => {
    silent?.close();
    await dns?.close();
  });

  it('tells an answering resolver (NOERROR, NXDOMAIN or SERVFAIL alike) from a silent one, within the timeout', async () => {
    const servers = [dns.resolver, { address: '127.0.0.1', port: silentPort }];
    const started = Date.now();
    const [ok, missing, servfail] = await Promise.all(['ok.preflight.test', 'nx.preflight.test', 'sf.preflight.test']
      .map((name) => askResolvers(servers, { name }, 400, AbortSignal.timeout(5000))));
    expect(Date.now() - started).toBeLessThan(2000);
    for (const asked of [ok, missing, servfail]) {
      expect(asked).toEqual([
        { resolver: `127.0.0.1:${dns.port}`, silent: null },
        { resolver: `127.0.0.1:${silentPort}`, silent: 'timeout after 400 ms' },
      ]);
    }
  });

  it('gives up at once when the run is stopped', async () => {
    const controller = new AbortController();
    const asking = askResolvers([{ address: '127.0.0.1', port: silentPort }], { name: 'ok.preflight.test' }, 60_000, controller.signal);
    controller.abort(new Error('stopped'));
    await expect(asking).rejects.toThrow('stopped');
  });
});
