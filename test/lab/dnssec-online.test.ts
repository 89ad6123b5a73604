import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrustAnchors } from '../../src/dnssec/anchors.ts';
import { createWireFetch } from '../../src/dnssec/fetch.ts';
import { compareNames, isAtOrBelow, nameFromText, nameToText, type Name } from '../../src/dnssec/name.ts';
import type { DnssecState } from '../../src/dnssec/validator/types.ts';
import { createValidator, type Validator } from '../../src/dnssec/validator/validator.ts';
import { nameAfter, nameBefore, nameJustAfter } from '../../src/lab/dnssec/covering-names.ts';
import { labDnssec, type LabDnssec } from '../../src/lab/dnssec/lab-mirror.ts';
import { startDnsServer, type DnsServer, type Zone, type ZoneNode } from '../../src/lab/dns-server.ts';
import { cleanupAfterAll } from '../support/cleanup.ts';

/**
 * The lab mirror's online signing (src/lab/dnssec/online-zone.ts): names the lab server synthesizes on demand are
 * signed at their first question and denied with minimally covering NSEC records (RFC 4470), validated by Vouch's
 * validator over the wire and, where installed, by delv (bind9-dnsutils) with the same trust anchor.
 */

const { defer } = cleanupAfterAll();
const name = (text: string): Name => nameFromText(text)!;

describe('names around a name, for minimally covering NSEC records', () => {
  it.each(['b.example.', 'www.bench.test.', '*.bench.test.', 'a\\000.example.', '\\000.example.', 'x[.example.', `${'q'.repeat(63)}.example.`])(
    '%s lies strictly between its neighbours, which are its siblings', (text) => {
      const n = name(text);
      const [before, after] = [nameBefore(n), nameAfter(n)];
      expect(compareNames(before, n), nameToText(before)).toBeLessThan(0);
      expect(compareNames(n, after), nameToText(after)).toBeLessThan(0);
      // Not below the name: a next name below it would say it exists (an empty non-terminal).
      expect(isAtOrBelow(after, n)).toBe(false);
      expect(compareNames(n, nameJustAfter(n))).toBeLessThan(0);
    });

  it('spans the name\'s descendants, not its siblings', () => {
    const n = name('site7.bench.test.');
    expect(compareNames(name('x.site7.bench.test.'), nameAfter(n))).toBeLessThan(0);
    expect(compareNames(nameBefore(n), name('site6.bench.test.'))).toBeGreaterThan(0);
    expect(compareNames(nameAfter(n), name('site70.bench.test.'))).toBeLessThan(0);
    expect(compareNames(name('site70.bench.test.'), name('site7\\000.bench.test.'))).toBeGreaterThan(0);
  });
});

const SOA = [{ mname: 'ns1.online.test', rname: 'hostmaster.online.test' }];
const zone: Zone = {
  'listed.online.test': { ad: true, SOA, TXT: ['listed'], A: ['127.0.0.1'] },
  'plain.online.test': { A: ['127.0.0.2'] },
  'bad.online.test': { bogus: true, A: ['127.0.0.3'] },
  'alias.online.test': { ad: true, CNAME: 'syn7.online.test' },
};

/** Names made from the name: `syn<n>` signed, `unsigned<n>` an unsigned delegation, TLSA under each `syn<n>`. */
function synthesize(key: string): ZoneNode | undefined {
  const signed = /^syn(\d+)\.online\.test$/.exec(key);
  if (signed) return { ad: true, A: [`127.0.0.${Number(signed[1]) % 250 + 1}`], MX: [{ preference: 10, exchange: `mx.${key}` }] };
  if (/^unsigned\d+\.online\.test$/.test(key)) return { A: ['127.0.0.9'] };
  if (/^_25\._tcp\.syn\d+\.online\.test$/.test(key)) return { ad: true, TLSA: [{ usage: 3, selector: 1, matchingType: 1, certificate: 'ab'.repeat(32) }] };
  return undefined;
}

const CASES: readonly (readonly [string, string, DnssecState, string])[] = [
  ['syn1.online.test.', 'A', 'secure', 'records'],
  ['syn1.online.test.', 'MX', 'secure', 'records'],
  ['syn1.online.test.', 'SOA', 'secure', 'nodata'],
  ['syn1.online.test.', 'DS', 'secure', 'nodata'],
  ['_25._tcp.syn1.online.test.', 'TLSA', 'secure', 'records'],
  ['nope.syn1.online.test.', 'A', 'secure', 'nxdomain'],
  ['a.b.nowhere.online.test.', 'TXT', 'secure', 'nxdomain'],
  ['*.online.test.', 'A', 'secure', 'nxdomain'],
  ['online.test.', 'DS', 'secure', 'nodata'],
  ['.', 'SOA', 'secure', 'records'],
  ['listed.online.test.', 'TXT', 'secure', 'records'],
  ['listed.online.test.', 'AAAA', 'secure', 'nodata'],
  ['alias.online.test.', 'A', 'secure', 'records'],
  ['unsigned3.online.test.', 'A', 'insecure', 'unsigned-delegation'],
  ['plain.online.test.', 'A', 'insecure', 'unsigned-delegation'],
  ['bad.online.test.', 'A', 'bogus', 'bad-signature'],
];

let dnssec: LabDnssec;
let server: DnsServer;
let validator: Validator;

beforeAll(async () => {
  // A small signature cache, so the cases below run through evictions too.
  dnssec = labDnssec(new Date(), { maxSignatures: 8 });
  server = await startDnsServer({ zone, synthesize, dnssec });
  defer(() => server.close());
  const parsed = parseTrustAnchors(dnssec.anchorsText, 'lab-root');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  validator = createValidator({ fetch: createWireFetch({ server: server.resolver, timeoutMs: 2000 }), anchors: parsed.anchors, now: new Date() });
});

describe('online signing of the lab server\'s zone, synthesized names included', () => {
  it.each(CASES)('%s %s: %s (%s)', async (question, type, state, detail) => {
    const result = await validator.validate(question, type);
    expect({ state: result.state, what: state === 'secure' ? result.answer : result.reason }, result.detail).toEqual({ state, what: detail });
  });

  it('keeps at most the configured number of signatures, and signs a kept RRset once', async () => {
    expect(dnssec.signaturesKept()).toBeLessThanOrEqual(8);
    const fetch = createWireFetch({ server: server.resolver, timeoutMs: 2000 });
    const rrsigOf = async () => (await fetch('syn42.online.test.', 'A')).answer.find((rr) => rr.type === 46)!.rdata;
    const [first, again] = [await rrsigOf(), await rrsigOf()];
    // ECDSA signatures are randomized: the same octets twice means the second came from the cache.
    expect(first.equals(again)).toBe(true);
  });
});

/** delv's verdict from its comment lines (BIND 9.18), as in test/dnssec/lab-verdicts.test.ts. */
function delvVerdict(output: string): DnssecState {
  if (/^; (negative response, )?fully validated$/m.test(output)) return 'secure';
  if (/^; (negative response, )?unsigned answer$/m.test(output)) return 'insecure';
  return /^;; resolution failed: (?!timed out|failure)/m.test(output) ? 'bogus' : 'indeterminate';
}

describe('agreement with delv', async () => {
  const run = promisify(execFile);
  const delv = await run('delv', ['-v']).then(() => true, () => false);

  it.skipIf(!delv)('gives every question the same verdict as delv (skipped when bind9-dnsutils\' delv is missing)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-online-delv-'));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const [tag, algorithm, digestType, digest] = dnssec.anchorsText.trim().split(/\s+/).slice(3);
    const anchorFile = join(dir, 'anchor.conf');
    writeFileSync(anchorFile, `trust-anchors {\n  . static-ds ${tag} ${algorithm} ${digestType} "${digest}";\n};\n`);
    const verdicts = await Promise.all(CASES.map(async ([question, type, state]) => {
      // +cdflag: delv asks with CD, as Vouch does; without it the lab server answers from its dummy-signed plain zone.
      const { stdout, stderr } = await run('delv', ['@127.0.0.1', '-p', String(server.port), '-a', anchorFile, '+cdflag', question, type], { timeout: 15_000 })
        .catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
      return `${question} ${type} delv=${delvVerdict(stdout + stderr)} vouch=${state}`;
    }));
    expect(verdicts.filter((line) => /delv=(\w+) vouch=(?!\1\b)/.test(line))).toEqual([]);
  });
});
