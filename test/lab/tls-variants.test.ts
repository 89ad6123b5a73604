import { execFile } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsVersion } from '../../src/probes/types.ts';
import {
  FFDHE2048_PEM, MODP1024_PEM, OPENSSL_TO_IANA, startTlsVariant, TLS_VARIANT_NAMES, type TlsVariant, type TlsVariantName,
} from '../../src/lab/tls-variants.ts';

/** Each lab variant accepts exactly what its `expected` says, checked with node:tls clients (no peer tools). */

const IANA_TO_OPENSSL = Object.fromEntries(Object.entries(OPENSSL_TO_IANA).map(([o, i]) => [i, o]));
const ALL_VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const TLS13_ALL = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256', 'TLS_AES_128_CCM_SHA256'];

type Outcome = { ok: true; version: string; suite: string; ephemeral: tls.EphemeralKeyInfo | object } | { ok: false; error: string };

type ClientOptions = { version: TlsVersion; ciphers: string; ecdhCurve?: string };

/** One handshake with a client limited to one version and the given suites (OpenSSL names, `TLS_` for 1.3). */
function handshake(variant: TlsVariant, options: ClientOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const connect = (socket?: net.Socket) => {
      let client: tls.TLSSocket;
      try {
        client = tls.connect({
        ...(socket ? { socket } : { host: variant.host, port: variant.port }),
        servername: 'localhost', ca: variant.caPem, minVersion: options.version, maxVersion: options.version,
        ciphers: options.version === 'TLSv1.3' ? options.ciphers : `${options.ciphers}:@SECLEVEL=0`,
        ...(options.ecdhCurve ? { ecdhCurve: options.ecdhCurve } : {}),
        });
      } catch (error) {
        // e.g. `no cipher match`: this client cannot even offer the suites.
        socket?.destroy();
        resolve({ ok: false, error: `client: ${(error as Error).message}` });
        return;
      }
      client.once('secureConnect', () => {
        const cipher = client.getCipher();
        resolve({ ok: true, version: client.getProtocol() ?? '', suite: cipher.standardName, ephemeral: client.getEphemeralKeyInfo() ?? {} });
        client.destroy();
      });
      client.once('error', (error) => resolve({ ok: false, error: error.message }));
    };
    if (variant.starttls === null) connect();
    else smtpStarttls(variant).then(connect, (error: Error) => resolve({ ok: false, error: error.message }));
  });
}

/** Banner, EHLO, STARTTLS (RFC 3207), then the socket for TLS. */
function smtpStarttls(variant: TlsVariant): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: variant.host, port: variant.port });
    let buffer = '';
    let step = 0;
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      const lines = buffer.split('\r\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (/^\d{3}-/.test(line)) continue;
        if (step === 0 && line.startsWith('220')) { socket.write('EHLO client.test\r\n'); step = 1; }
        else if (step === 1 && line.startsWith('250')) { socket.write('STARTTLS\r\n'); step = 2; }
        else if (step === 2 && line.startsWith('220')) { socket.off('data', onData); resolve(socket); return; }
        else { socket.destroy(); reject(new Error(`unexpected SMTP reply ${line}`)); return; }
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

const openssl = (suite: string) => (suite.startsWith('TLS_') ? suite : IANA_TO_OPENSSL[suite]!);

const variants = new Map<TlsVariantName, TlsVariant>();
beforeAll(async () => {
  for (const variant of await Promise.all(TLS_VARIANT_NAMES.map(startTlsVariant))) variants.set(variant.name, variant);
});
afterAll(async () => { await Promise.all([...variants.values()].map((v) => v.close())); });
const get = (name: TlsVariantName) => variants.get(name)!;

describe.each(TLS_VARIANT_NAMES)('%s', (name) => {
  it('accepts each expected suite alone at each expected version, and nothing else', async () => {
    const variant = get(name);
    for (const version of ALL_VERSIONS) {
      const expected = variant.expected.suitesByVersion[version];
      if (!variant.expected.versions.includes(version)) {
        expect(expected).toBeUndefined();
        const any = await handshake(variant, { version, ciphers: version === 'TLSv1.3' ? TLS13_ALL.join(':') : 'ALL:COMPLEMENTOFALL' });
        expect(any.ok, `${name} ${version} refused`).toBe(false);
        continue;
      }
      expect(expected?.length).toBeGreaterThan(0);
      for (const suite of expected!) {
        const outcome = await handshake(variant, { version, ciphers: openssl(suite) });
        expect(outcome, `${name} ${version} ${suite}`).toMatchObject({ ok: true, version, suite });
      }
      // Everything else this OpenSSL can offer at that version is refused.
      const others = version === 'TLSv1.3'
        ? TLS13_ALL.filter((s) => !expected!.includes(s)).join(':')
        : ['ALL:COMPLEMENTOFALL', ...expected!.map((s) => `!${openssl(s)}`)].join(':');
      if (others !== '') {
        const outcome = await handshake(variant, { version, ciphers: others });
        expect(outcome.ok, `${name} ${version} refuses other suites`).toBe(false);
      }
    }
  });

  it('follows its documented order (server order, or the client\'s)', async () => {
    const variant = get(name);
    for (const version of variant.expected.versions) {
      const suites = variant.expected.suitesByVersion[version]!;
      if (suites.length < 2) continue;
      const reversed = [...suites].reverse();
      const outcome = await handshake(variant, { version, ciphers: reversed.map(openssl).join(':') });
      expect(outcome.ok).toBe(true);
      const chosen = outcome.ok ? outcome.suite : '';
      expect(chosen, `${name} ${version}`).toBe(variant.expected.serverOrder ? suites[0] : reversed[0]);
    }
  });
});

describe('observable differences', () => {
  it('order-on and order-off choose differently for a client listing suites in the opposite order', async () => {
    for (const [version, ciphers] of [
      ['TLSv1.2', 'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384'],
      ['TLSv1.3', 'TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384'],
    ] as const) {
      const on = await handshake(get('order-on'), { version, ciphers });
      const off = await handshake(get('order-off'), { version, ciphers });
      expect(on).toMatchObject({ ok: true, suite: version === 'TLSv1.3' ? 'TLS_AES_256_GCM_SHA384' : 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384' });
      expect(off).toMatchObject({ ok: true, suite: version === 'TLSv1.3' ? 'TLS_CHACHA20_POLY1305_SHA256' : 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256' });
    }
  });

  it('chacha-preferred picks ChaCha20 for a client that lists AES first', async () => {
    const v12 = await handshake(get('chacha-preferred'), { version: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305' });
    const v13 = await handshake(get('chacha-preferred'), { version: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256' });
    expect(v12).toMatchObject({ ok: true, suite: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256' });
    expect(v13).toMatchObject({ ok: true, suite: 'TLS_CHACHA20_POLY1305_SHA256' });
  });

  it.each([['dhe-1024', 1024], ['dhe-ffdhe2048', 2048], ['legacy', 2048]] as const)('%s serves a %i-bit DH prime', async (name, bits) => {
    const outcome = await handshake(get(name), { version: 'TLSv1.2', ciphers: 'DHE-RSA-AES128-GCM-SHA256' });
    expect(outcome).toMatchObject({ ok: true, ephemeral: { type: 'DH', size: bits } });
    expect(get(name).expected.dh?.bits).toBe(bits);
  });

  it.each([
    ['groups-limited', 'P-384', 'X25519:P-256'],
    ['x25519-only', 'X25519', 'P-256:P-384'],
    ['modern', 'P-384', 'P-521'],
  ] as const)('%s accepts %s and refuses %s (TLS 1.2 and 1.3)', async (name, good, bad) => {
    const variant = get(name);
    // TLS 1.2 with an ECDSA certificate: see the next test.
    for (const version of variant.expected.certificate === 'ecdsa-p256' ? ['TLSv1.3'] as const : ['TLSv1.2', 'TLSv1.3'] as const) {
      const ciphers = version === 'TLSv1.3' ? 'TLS_AES_128_GCM_SHA256' : openssl(variant.expected.suitesByVersion['TLSv1.2']![0]!);
      const ok = await handshake(variant, { version, ciphers, ecdhCurve: good });
      expect(ok, `${name} ${version} ${good}`).toMatchObject({ ok: true, ephemeral: { type: 'ECDH' } });
      const refused = await handshake(variant, { version, ciphers, ecdhCurve: bad });
      expect(refused.ok, `${name} ${version} ${bad}`).toBe(false);
    }
  });

  it('modern (ECDSA P-256 certificate) in TLS 1.2 needs secp256r1 in the client\'s groups, whatever the ECDHE group', async () => {
    // RFC 8422 5.1 / RFC 4492 5.1: in TLS 1.2 the client's supported groups also bind the certificate's curve.
    const suite = 'ECDHE-ECDSA-AES128-GCM-SHA256';
    expect((await handshake(get('modern'), { version: 'TLSv1.2', ciphers: suite, ecdhCurve: 'P-384' })).ok).toBe(false);
    expect(await handshake(get('modern'), { version: 'TLSv1.2', ciphers: suite, ecdhCurve: 'P-384:P-256' }))
      .toMatchObject({ ok: true, ephemeral: { type: 'ECDH', name: 'prime256v1' } }); // server order covers groups too
    expect(await handshake(get('modern'), { version: 'TLSv1.2', ciphers: suite, ecdhCurve: 'X25519:P-256' }))
      .toMatchObject({ ok: true, ephemeral: { type: 'ECDH', name: 'X25519' } });
  });

  it('smtp-starttls speaks SMTP first and serves its TLS profile after STARTTLS', async () => {
    const variant = get('smtp-starttls');
    expect(variant.starttls).toBe('smtp');
    const outcome = await handshake(variant, { version: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    expect(outcome).toMatchObject({ ok: true, suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' });
    expect(variant.handshakes()).toBeGreaterThan(0);
  });
});

describe('constants', () => {
  it('the OpenSSL -> IANA table agrees with `openssl ciphers -stdname`', async () => {
    const { stdout } = await promisify(execFile)('openssl', ['ciphers', '-stdname', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0']);
    const stdnames = new Map(stdout.split('\n').flatMap((l) => {
      const m = /^(\S+)\s+-\s+(\S+)/.exec(l.trim());
      return m ? [[m[2]!, m[1]!] as const] : [];
    }));
    for (const [o, i] of Object.entries(OPENSSL_TO_IANA)) expect(stdnames.get(o), o).toBe(i);
  });

  it('ffdhe2048 is RFC 7919\'s (OpenSSL\'s built-in copy) and modp1024 is RFC 2409 group 2', async () => {
    const { stdout } = await promisify(execFile)('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:ffdhe2048']);
    expect(FFDHE2048_PEM.replace(/\s/g, '')).toBe(stdout.replace(/\s/g, ''));
    const text = await new Promise<string>((resolve, reject) => {
      const child = execFile('openssl', ['dhparam', '-text', '-noout'], (error, out) => (error ? reject(error) : resolve(out)));
      child.stdin!.end(MODP1024_PEM);
    });
    expect(text).toMatch(/\(1024 bit\)/);
    expect(text.replace(/[\s:]/g, '')).toContain('00ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd1'); // RFC 2409 6.2, first bytes
  });
});
