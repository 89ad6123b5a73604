import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG, parseMessage } from '../../src/dnssec/message.ts';
import { nameToText } from '../../src/dnssec/name.ts';
import { startDnsServer, type DnsServer } from '../../src/lab/dns-server.ts';
import { createResolver, type Resolver } from '../../src/probes/dns.ts';

/**
 * `queryRaw`, the resolver's path for Vouch's DNSSEC validator: DO and CD set, the reply's bytes as received, the
 * same failover as `query` (a server that cannot answer is passed over), no CNAME followed.
 */

let refusing: DnsServer;
let answering: DnsServer;
let resolver: Resolver;
const questions: string[] = [];

beforeAll(async () => {
  refusing = await startDnsServer({ zone: {}, synthesize: () => ({ servfail: true }) }); // SERVFAIL for every name
  answering = await startDnsServer({
    zone: { 'a.raw.test': { A: ['192.0.2.1'] }, 'alias.raw.test': { CNAME: 'a.raw.test' }, 'ref.raw.test': { referral: ['ns1.elsewhere.test'] } },
    onQuery: (name, type) => questions.push(`${name} ${type}`),
  });
  resolver = createResolver({ servers: [refusing.resolver, answering.resolver], timeoutMs: 500, retries: 0 });
});
afterAll(async () => {
  resolver?.close();
  await Promise.all([refusing?.close(), answering?.close()]);
});

describe('queryRaw', () => {
  it('asks with DO and CD, fails over past a SERVFAIL, and returns the reply as bytes', async () => {
    const reply = await resolver.queryRaw('a.raw.test', 'A', AbortSignal.timeout(5000));
    expect(reply.resolver).toBe(`127.0.0.1:${answering.port}`);
    const parsed = parseMessage(reply.bytes);
    if (!parsed.ok) throw new Error(parsed.error);
    // The lab echoes CD and DO as a resolver must (RFC 4035 3.2.2, RFC 3225 3): so the query carried both.
    expect([(parsed.message.flags & FLAG.CD) !== 0, parsed.message.edns?.dnssecOk]).toEqual([true, true]);
    expect(parsed.message.answer.map((rr) => nameToText(rr.owner))).toEqual(['a.raw.test.']);
  });

  it('follows no CNAME itself: the validator checks each link', async () => {
    questions.length = 0;
    await resolver.queryRaw('alias.raw.test', 'A', AbortSignal.timeout(5000));
    expect(questions).toEqual(['alias.raw.test A']);
  });

  it('rejects with dns-failure when no server answers the question (a referral, a SERVFAIL)', async () => {
    await expect(resolver.queryRaw('ref.raw.test', 'A', AbortSignal.timeout(5000)))
      .rejects.toMatchObject({ reason: 'dns-failure', message: expect.stringContaining('referral: the resolver did not recurse') });
  });
});
