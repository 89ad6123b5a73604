import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrustAnchors, type TrustAnchor } from '../../src/dnssec/anchors.ts';
import { createWireFetch } from '../../src/dnssec/fetch.ts';
import type { DnssecState } from '../../src/dnssec/validator/types.ts';
import { createValidator } from '../../src/dnssec/validator/validator.ts';
import { startSignedZoneServer, type SignedZoneServer } from '../../src/lab/dnssec/server.ts';
import { buildDnssecLab, CASES, type DnssecLab } from '../../src/lab/dnssec/zones.ts';
import { cleanupAfterAll } from '../support/cleanup.ts';

/**
 * The validator's verdict on each lab zone, asked over the network from the lab's signing DNS server, and the same
 * questions put to a real validator (delv, from bind9-dnsutils) with the same trust anchor.
 */

const run = promisify(execFile);
const { defer } = cleanupAfterAll();
let lab: DnssecLab;
let server: SignedZoneServer;
let anchors: readonly TrustAnchor[];

beforeAll(async () => {
  lab = buildDnssecLab(new Date());
  server = await startSignedZoneServer(lab.zones);
  defer(() => server.close());
  const parsed = parseTrustAnchors(lab.anchorText, 'lab-anchor');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  anchors = parsed.anchors;
});

const validatorOver = (transport: 'udp' | 'tcp') =>
  createValidator({ fetch: createWireFetch({ server: { address: server.host, port: server.port }, timeoutMs: 2000, transport }), anchors, now: new Date() });

describe('the validator against the lab over UDP (TCP when truncated)', () => {
  let validator: ReturnType<typeof validatorOver>;
  beforeAll(() => { validator = validatorOver('udp'); });

  it.each(CASES)('$name $type: $state $reason', async ({ name, type, state, reason, answer }) => {
    const result = await validator.validate(name, type);
    expect({ state: result.state, reason: result.reason, answer: state === 'secure' ? result.answer : undefined }, result.detail)
      .toEqual({ state, reason, answer });
    if (state === 'bogus') expect(result.steps.at(-1)?.outcome).toBe('failed'); // the evidence names the step that failed
  });

  it('fetched each zone\'s keys once for all of the questions, and took the big answer over TCP', () => {
    const asked = (question: string) => server.questions.filter((q) => q === question).length;
    expect([asked('test. DNSKEY'), asked('secure.test. DNSKEY'), asked('secure.test. DS')]).toEqual([1, 1, 1]);
    expect(asked('big.secure.test. TXT')).toBe(2); // truncated over UDP, then again over TCP
  });
});

describe('the validator over TCP only', () => {
  it('gives the same verdicts', async () => {
    const validator = validatorOver('tcp');
    const results = await Promise.all(CASES.map(async (c) => `${c.name} ${c.type} ${(await validator.validate(c.name, c.type)).state}`));
    expect(results).toEqual(CASES.map((c) => `${c.name} ${c.type} ${c.state}`));
  });
});

/** delv's verdict from its comment lines (BIND 9.18): `; fully validated`, `; unsigned answer`, `;; resolution failed`. */
function delvVerdict(output: string): DnssecState {
  if (/^; (negative response, )?fully validated$/m.test(output)) return 'secure';
  if (/^; (negative response, )?unsigned answer$/m.test(output)) return 'insecure';
  if (/^;; resolution failed: (timed out|failure)/m.test(output)) return 'indeterminate';
  return /^;; resolution failed/m.test(output) ? 'bogus' : 'indeterminate';
}

describe('agreement with delv', async () => {
  const delv = await run('delv', ['-v']).then(() => true, () => false);

  it.skipIf(!delv)('gives every lab question the same verdict as delv (skipped when bind9-dnsutils\' delv is missing)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-delv-'));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const anchorFile = join(dir, 'anchor.conf');
    writeFileSync(anchorFile, lab.bindAnchor);
    const validator = validatorOver('udp');
    const verdicts = await Promise.all(CASES.map(async ({ name, type }) => {
      const { stdout, stderr } = await run('delv', ['@127.0.0.1', '-p', String(server.port), '-a', anchorFile, '+root=test', name, type], { timeout: 15_000 })
        .catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
      return `${name} ${type} delv=${delvVerdict(stdout + stderr)} vouch=${(await validator.validate(name, type)).state}`;
    }));
    expect(verdicts.filter((line) => /delv=(\w+) vouch=(?!\1\b)/.test(line))).toEqual([]);
    expect(verdicts).toHaveLength(CASES.length);
  });

  it.each([
    ['; fully validated\nwww.test. 300 IN A 127.0.0.1', 'secure'],
    ['; negative response, fully validated\n;; resolution failed: ncache nxdomain', 'secure'],
    ['; unsigned answer', 'insecure'],
    ['; negative response, unsigned answer\n;; resolution failed: ncache nxdomain', 'insecure'],
    [';; resolution failed: broken trust chain', 'bogus'],
    [';; resolution failed: timed out', 'indeterminate'],
    ['', 'indeterminate'],
  ])('reads delv output %j as %s', (output, state) => {
    expect(delvVerdict(output)).toBe(state);
  });
});
