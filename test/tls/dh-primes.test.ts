import { checkPrimeSync, getDiffieHellman } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WELL_KNOWN_PRIMES, dhPrimeInfo } from '../../src/tls/dh-primes.ts';

const prime = (name: string) => WELL_KNOWN_PRIMES.find((p) => p.name === name)!;

/** OpenSSL's own copy of a named group's prime (RFC 7919, RFC 5114), or null when the CLI is missing. */
function opensslPrime(pkeyopt: string): string | null {
  try {
    const pem = execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', pkeyopt], { stdio: ['ignore', 'pipe', 'ignore'] });
    const parsed = execFileSync('openssl', ['asn1parse'], { input: pem }).toString();
    return parsed.split('\n')[1]!.split(':').pop()!.trim().toLowerCase();
  } catch {
    return null;
  }
}

describe('well-known DH primes', () => {
  it('the IKE MODP primes equal Node/OpenSSL built-ins (RFC 2409 6.1, 6.2; RFC 3526 3, 4)', () => {
    for (const [name, group] of [['modp768', 'modp1'], ['modp1024', 'modp2'], ['modp2048', 'modp14'], ['modp3072', 'modp15']] as const) {
      expect(prime(name).pHex, name).toBe(getDiffieHellman(group).getPrime('hex'));
    }
  });

  it.each([['ffdhe2048', 'group:ffdhe2048'], ['ffdhe3072', 'group:ffdhe3072'], ['ffdhe4096', 'group:ffdhe4096'], ['rfc5114-2048-256', 'dh_rfc5114:3']])(
    '%s equals the OpenSSL CLI built-in', (name, option) => {
      const fromOpenssl = opensslPrime(option);
      if (fromOpenssl === null) return; // no openssl CLI: the primality check below still guards the value
      expect(prime(name).pHex).toBe(fromOpenssl);
    });

  it('every embedded value has its stated size, the ones up to 2048 bits are prime; the RFC 7919 / 2409 / 3526 ones up to 2048 bits are safe primes', () => {
    for (const p of WELL_KNOWN_PRIMES) {
      const n = BigInt(`0x${p.pHex}`);
      expect(n.toString(2).length, p.name).toBe(p.bits);
      // One Miller-Rabin round: a mistyped prime is composite with overwhelming probability; kept cheap for 4096 bits.
      if (p.bits <= 2048) expect(checkPrimeSync(n, { checks: 1 }), p.name).toBe(true);
      // RFC 7919 A / RFC 3526: the top and bottom 64 bits of these primes are all ones.
      if (/^(ffdhe|modp)/.test(p.name)) expect([p.pHex.slice(0, 16), p.pHex.slice(-16)], p.name).toEqual(['f'.repeat(16), 'f'.repeat(16)]);
      if (/^(ffdhe|modp)/.test(p.name) && p.bits <= 2048) expect(checkPrimeSync((n - 1n) / 2n, { checks: 1 }), `${p.name} safe`).toBe(true);
    }
  });

  it('the nginx prime equals the PEM that nginx quotes beside it', () => {
    const pem = 'MIGHAoGBALu8LcrYRnSQfEP89YDpz9vZWKP1aLQtSwju1OsPs1BMbAMCducQgAxcy7qokiYUxb7spWWl/fHSh6K8BJvmd4Bg6RqSp1fjBI9osHb302zI8pul34HcLKcl7OZicMyaUDXYzs7vnqAnSmOrHlj6/UmI0PZdFGdX2gcd8EXP4WubAgEC';
    expect(Buffer.from(pem, 'base64').subarray(7, 135).toString('hex')).toBe(prime('nginx-1024').pHex);
  });

  it('dhPrimeInfo names known primes and sizes any prime, whatever the hex spelling', () => {
    expect(dhPrimeInfo(prime('ffdhe2048').pHex)).toEqual({ bits: 2048, wellKnown: { name: 'ffdhe2048', source: prime('ffdhe2048').source }, rfc7919: true });
    expect(dhPrimeInfo(`00${prime('modp1024').pHex.toUpperCase()}`)).toMatchObject({ bits: 1024, wellKnown: { name: 'modp1024' }, rfc7919: false });
    expect(dhPrimeInfo(`0x${prime('apache-2.2-1024').pHex}`)).toMatchObject({ bits: 1024, wellKnown: { name: 'apache-2.2-1024' } });
    expect(dhPrimeInfo('00ff')).toEqual({ bits: 8, wellKnown: null, rfc7919: false });
    expect(dhPrimeInfo('zz')).toEqual({ bits: 0, wellKnown: null, rfc7919: false });
    expect(dhPrimeInfo('')).toEqual({ bits: 0, wellKnown: null, rfc7919: false });
  });
});
