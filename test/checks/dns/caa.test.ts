import { describe, expect, it } from 'vitest';
import { caaCheck } from '../../../checks/dns/caa.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { Probes } from '../../../src/probes/types.ts';
import { contextFor, fakeProbes, zone } from '../../support/fake-probes.ts';

type Zone = Parameters<typeof zone>[0];
const run = (records: Zone, domain = 'www.example.nl', dns: Probes['dns'] = zone(records)) =>
  caaCheck.run(contextFor(fakeProbes({ dns }), { domain }));

describe('dns.caa', () => {
  it.each([
    { why: 'issue at the name', zone: { 'www.example.nl': { CAA: ['0 issue "letsencrypt.org"'] } }, status: 'pass' },
    { why: 'issue at a parent (RFC 8659 3)', zone: { 'example.nl': { CAA: ['0 issue "letsencrypt.org"'] } }, status: 'pass' },
    { why: 'issue ";" forbids all issuance', zone: { 'example.nl': { CAA: ['0 issue ";"'] } }, status: 'pass' },
    { why: 'critical unknown tag (RFC 8659 4.1)', zone: { 'example.nl': { CAA: ['128 tbs "x"'] } }, status: 'pass' },
    { why: 'no CAA anywhere', zone: { 'www.example.nl': { A: ['192.0.2.1'] }, 'example.nl': {} }, status: 'warn' },
    { why: 'NXDOMAIN all the way', zone: {}, status: 'warn' },
    { why: 'only iodef restricts nothing (RFC 8659 3)', zone: { 'example.nl': { CAA: ['0 iodef "mailto:a@example.nl"'] } }, status: 'warn' },
    { why: 'only issuewild leaves the name itself open (RFC 8659 4.3)', zone: { 'example.nl': { CAA: ['0 issuewild ";"'] } }, status: 'warn' },
    { why: 'malformed issue (RFC 8659 4.2)', zone: { 'example.nl': { CAA: ['0 issue "letsencrypt.org."'] } }, status: 'fail' },
    { why: 'bad iodef (RFC 8659 4.4)', zone: { 'example.nl': { CAA: ['0 issue "ca.example"', '0 iodef "ftp://x.example/"'] } }, status: 'fail' },
    { why: 'bad tag (RFC 8659 4.1)', zone: { 'example.nl': { CAA: ['0 is_sue "ca.example"'] } }, status: 'fail' },
  ] satisfies { why: string; zone: Zone; status: string }[])('$why -> $status', async ({ zone: records, status }) => {
    expect((await run(records)).status).toBe(status);
  });

  it('stops at the first non-empty RRset: a parent\'s records do not add to the name\'s', async () => {
    const outcome = await run({
      'www.example.nl': { CAA: ['0 issue "ca1.example"', '0 issuewild ";"', '0 iodef "mailto:sec@example.nl"'] },
      'example.nl': { CAA: ['0 issue "ca2.example"'] },
    });
    expect(outcome).toEqual({
      status: 'pass',
      summary: 'CAA at www.example.nl allows ca1.example to issue; wildcard certificates: no CA',
      evidence: {
        name: 'www.example.nl', queried: ['www.example.nl'], cnames: [],
        records: ['0 issue "ca1.example"', '0 issuewild ";"', '0 iodef "mailto:sec@example.nl"'],
        issuers: ['ca1.example'], wildcardIssuers: [], iodef: ['mailto:sec@example.nl'], criticalUnknown: [], ignoredUnknown: [],
      },
    });
  });

  it('names where the RRset was found and every name asked on the way', async () => {
    const outcome = await run({ 'example.nl': { CAA: ['0 issue "letsencrypt.org"', '0 issue "sectigo.com"'] } }, 'a.b.example.nl');
    expect(outcome).toMatchObject({
      summary: 'CAA at example.nl allows letsencrypt.org, sectigo.com to issue',
      evidence: { name: 'example.nl', queried: ['a.b.example.nl', 'b.example.nl', 'example.nl'], issuers: ['letsencrypt.org', 'sectigo.com'] },
    });
  });

  it('climbs to the TLD as a CA does, and warns that every CA may issue', async () => {
    expect(await run({})).toEqual({
      status: 'warn',
      summary: 'No CAA records at www.example.nl or any parent: every CA may issue certificates for it',
      evidence: { name: null, queried: ['www.example.nl', 'example.nl', 'nl'], records: [], issuers: null },
      remediation: expect.stringContaining('0 issue "letsencrypt.org"'),
    });
  });

  it('notes that a critical unknown property stops every CA that does not support it', async () => {
    expect(await run({ 'example.nl': { CAA: ['0 issue "ca.example"', '128 tbs "x"'] } })).toMatchObject({
      status: 'pass', summary: expect.stringContaining('no CA may issue unless it supports the critical property tbs'),
      evidence: { criticalUnknown: ['tbs'], issuers: ['ca.example'] },
    });
  });

  it('quotes the invalid record and its problem', async () => {
    expect(await run({ 'example.nl': { CAA: ['0 issue "%%%%%"'] } })).toMatchObject({
      status: 'fail', summary: expect.stringContaining('0 issue "%%%%%": issue value "%%%%%": "%%%%%" is not an issuer domain name'),
      evidence: { name: 'example.nl', problems: [expect.stringContaining('%%%%%')] },
    });
  });

  it('keeps the CNAME chain the resolver followed', async () => {
    const dns: Probes['dns'] = async (name, type) => ({
      ...await zone({ 'www.example.nl': { CAA: ['0 issue "ca.example"'] } })(name, type), cnames: ['cdn.example'],
    });
    expect(await run({}, 'www.example.nl', dns)).toMatchObject({ status: 'pass', evidence: { cnames: ['cdn.example'] } });
  });

  it('lets a DNS ProbeError at any step propagate', async () => {
    const error = new ProbeError('dns-failure', '127.0.0.1:53', 'CAA example.nl: SERVFAIL from 127.0.0.1:53');
    const records = zone({});
    const dns: Probes['dns'] = (name, type) => (name === 'example.nl' ? Promise.reject(error) : records(name, type));
    await expect(run({}, 'www.example.nl', dns)).rejects.toBe(error);
  });
});
