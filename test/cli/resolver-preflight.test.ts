import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askResolvers, preflightVerdict, rcodeProblem, scanNeedsDns } from '../../src/cli/resolver-preflight.ts';
import { parseConnectTo } from '../../src/config/parse-values.ts';
import { defaultTarget } from '../../src/config/defaults.ts';
import type { Check } from '../../src/core/check.ts';
import type { ConnectToRule } from '../../src/config/config.ts';
import { startDnsServer, type DnsServer } from '../../src/lab/dns-server.ts';

describe('preflightVerdict', () => {
  it('goes on quietly when every resolver answers', () => {
    expect(preflightVerdict([{ resolver: '127.0.0.1:53', problem: null }])).toEqual({ stop: null, warnings: [] });
  });

  it('stops with one line naming every resolver that does not serve us (silent or refusing) when none does', () => {
    expect(preflightVerdict([{ resolver: '10.1.2.3:53', problem: 'does not answer (timeout after 5000 ms)' }, { resolver: '[2001:db8::53]:53', problem: 'refuses our questions (REFUSED)' }])).toEqual({
      stop: 'DNS resolver 10.1.2.3:53 does not answer (timeout after 5000 ms); DNS resolver [2001:db8::53]:53 refuses our questions (REFUSED): '
        + 'nothing was scanned (check --resolver, "resolvers:" or /etc/resolv.conf)',
      warnings: [],
    });
  });

  it('warns once per resolver that does not serve us when another does, saying what it costs in failover order', () => {
    const silent = (resolver: string) => ({ resolver, problem: 'does not answer (timeout after 400 ms)' });
    const refusing = { resolver: '10.1.2.5:53', problem: 'refuses our questions (REFUSED)' };
    expect(preflightVerdict([silent('10.1.2.3:53'), refusing, { resolver: '127.0.0.1:53', problem: null }, silent('10.1.2.4:53')])).toEqual({
      stop: null,
      warnings: [
        'DNS resolver 10.1.2.3:53 does not answer (timeout after 400 ms); scanning with 127.0.0.1:53, every query waits for it first',
        'DNS resolver 10.1.2.5:53 refuses our questions (REFUSED); scanning with 127.0.0.1:53, every query asks it first',
        'DNS resolver 10.1.2.4:53 does not answer (timeout after 400 ms); scanning with 127.0.0.1:53, asked only when those fail',
      ],
    });
  });
});

describe('rcodeProblem', () => {
  it.each([
    [0, 'NOERROR', null], [1, 'FORMERR', null], [2, 'SERVFAIL', null], [3, 'NXDOMAIN', null],
    [4, 'NOTIMP', 'refuses our questions (NOTIMP)'], [5, 'REFUSED', 'refuses our questions (REFUSED)'], [16, 'BADVERS', null],
  ])('%i (%s): %s', (rcode, _name, problem) => {
    expect(rcodeProblem(rcode)).toBe(problem);
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
  let lab: DnsServer;
  let servfail: DnsServer;
  let refusing: DnsServer;
  let silent: dgram.Socket;
  let silentPort: number;
  const asked: string[] = [];
  beforeAll(async () => {
    // An authoritative-only lab server (NXDOMAIN for the root) whose one domain never answers: a lame delegation.
    lab = await startDnsServer({ zone: { 'lame.preflight.test': { silent: true } }, onQuery: (name, type) => asked.push(`${name || '.'} ${type}`) });
    servfail = await startDnsServer({ zone: { '': { servfail: true } } });
    refusing = await startDnsServer({ zone: {}, synthesize: () => ({ refused: true }) });
    // Takes every question and never answers: a resolver behind a firewall that drops DNS.
    silent = dgram.createSocket('udp4');
    await new Promise<void>((done) => silent.bind(0, '127.0.0.1', done));
    silentPort = silent.address().port;
  });
  afterAll(async () => {
    silent?.close();
    await Promise.all([lab?.close(), servfail?.close(), refusing?.close()]);
  });

  it('asks `. NS`, never a domain, and tells a serving resolver (any reply) from a silent or refusing one, within the timeout', async () => {
    const servers = [lab.resolver, servfail.resolver, refusing.resolver, { address: '127.0.0.1', port: silentPort }];
    const started = Date.now();
    const checks = await askResolvers(servers, 400, AbortSignal.timeout(5000));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(checks).toEqual([
      { resolver: `127.0.0.1:${lab.port}`, problem: null },
      { resolver: `127.0.0.1:${servfail.port}`, problem: null },
      { resolver: `127.0.0.1:${refusing.port}`, problem: 'refuses our questions (REFUSED)' },
      { resolver: `127.0.0.1:${silentPort}`, problem: 'does not answer (timeout after 400 ms)' },
    ]);
    expect(asked).toEqual(['. NS']);
  });

  it('gives up at once when the run is stopped', async () => {
    const controller = new AbortController();
    const asking = askResolvers([{ address: '127.0.0.1', port: silentPort }], 60_000, controller.signal);
    controller.abort(new Error('stopped'));
    await expect(asking).rejects.toThrow('stopped');
  });
});
