import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type Estate, type SiteSpec } from '../../src/lab/estate.ts';
import type { LabHttpServer } from '../../src/lab/http-server.ts';
import { startRpkiValidator } from '../../src/lab/rpki-validator.ts';
import { parsePrefix } from '../../src/rpki/prefix.ts';
import type { Vrp } from '../../src/rpki/origin-validation.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli } from '../support/cli.ts';
import { resultFinder, type LabScan } from '../support/lab-scan.ts';
import { undocumentedFields } from './documented.ts';

/**
 * net.rpki end to end against loopback fakes of both sources: route origins from a TXT zone in the lab DNS
 * (Team Cymru format under `origin.lab.test`), validity from a lab Routinator API and from a VRP export file.
 * DNS only: the addresses are never dialled.
 */

const ZONE = 'origin.lab.test';
const vrp = (asn: number, prefix: string, maxLength: number): Vrp => ({ asn, prefix: parsePrefix(prefix)!, maxLength });
const VRPS = [vrp(64500, '127.0.0.0/24', 24), vrp(64500, '127.0.1.0/24', 24), vrp(64503, '127.0.4.0/22', 23)];

/** A domain on `address`, announced as `origin` ("AS | prefix | CC | registry | date"), or with its origin lookup failing. */
const routed = (domain: string, address: string, origin: string | 'servfail'): SiteSpec => ({
  domain, records: { A: [address] },
  zone: { [`${address.split('.').reverse().join('.')}.${ZONE}`]: origin === 'servfail' ? { servfail: true } : { TXT: [origin] } },
});

let estate: Estate;
let validator: LabHttpServer;
let dir: string;

/** One scan of every domain with `rpki` set to `source` (plus the origin zone). */
async function scanWith(source: string): Promise<LabScan['result']> {
  const out = await mkdtemp(join(dir, 'out-'));
  await writeFile(join(out, 'vouch.yaml'), `rpki: { originZone: ${ZONE}, ${source} }\n`);
  await runCli(['scan', 'valid.test', 'invalid.test', 'toolong.test', 'notfound.test', 'unrouted.test', 'broken.test', '-c', join(out, 'vouch.yaml'),
    '--only', 'net.rpki', '--resolver', `127.0.0.1:${estate.dns.port}`, '--timeout', '1000', '--out', out, '--format', 'json', '--log-level', 'silent']);
  const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
  reports.push(report);
  return resultFinder(report);
}

let api: LabScan['result'];
const reports: ScanReport[] = [];
let file: LabScan['result'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-rpki-'));
  estate = await startEstate([
    routed('valid.test', '127.0.0.2', '64500 | 127.0.0.0/24 | ZZ | lab | 2024-01-01'),
    routed('invalid.test', '127.0.1.2', '64501 | 127.0.1.0/24 | ZZ | lab | 2024-01-01'),
    routed('toolong.test', '127.0.4.2', '64503 | 127.0.4.0/24 | ZZ | lab | 2024-01-01'),
    routed('notfound.test', '127.0.2.2', '64502 | 127.0.2.0/24 | ZZ | lab | 2024-01-01'),
    { domain: 'unrouted.test', records: { A: ['127.0.3.2'] } },
    routed('broken.test', '127.0.5.2', 'servfail'),
  ]);
  validator = await startRpkiValidator(VRPS);
  await writeFile(join(dir, 'vrps.json'), JSON.stringify({ roas: VRPS.map((v) => ({ asn: `AS${v.asn}`, prefix: v.prefix.text, maxLength: v.maxLength, ta: 'lab' })) }));
  [api, file] = await Promise.all([scanWith(`validator: "http://127.0.0.1:${validator.port}"`), scanWith(`validator: ${join(dir, 'vrps.json')}`)]);
}, 30_000);

afterAll(async () => {
  await Promise.all([estate?.close(), validator?.close()]);
});

describe.each([['the validator API', () => api], ['a VRP file', () => file]])('net.rpki with %s', (_source, result) => {
  it('passes a valid route, fails an invalid origin and a too specific prefix, warns on not-found and unannounced', () => {
    expect(result()('valid.test', 'net.rpki')).toMatchObject({ status: 'pass', summary: expect.stringContaining('RPKI-valid') });
    expect(result()('invalid.test', 'net.rpki')).toMatchObject({ status: 'fail', summary: expect.stringContaining('127.0.1.0/24 from AS64501 is RPKI-invalid') });
    expect(result()('toolong.test', 'net.rpki')).toMatchObject({ status: 'fail', evidence: { addresses: [{ routes: [{ unmatchedLength: ['AS64503 127.0.4.0/22 max 23'] }] }] } });
    expect(result()('notfound.test', 'net.rpki')).toMatchObject({ status: 'warn', summary: expect.stringContaining('not covered by any ROA') });
    expect(result()('unrouted.test', 'net.rpki')).toMatchObject({ status: 'warn', summary: expect.stringContaining('not announced') });
  });

  it('is an error when the origin cannot be looked up', () => {
    expect(result()('broken.test', 'net.rpki')).toMatchObject({ status: 'error', reason: 'dns-failure' });
  });
});

it('documents every evidence field in docs/evidence.md', () => {
  expect(reports.flatMap(undocumentedFields)).toEqual([]);
});
