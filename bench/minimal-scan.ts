import tls from 'node:tls';
import type net from 'node:net';
import type dnsPacket from 'dns-packet';
import { Client } from 'undici';
import { buildClientHello, fullOffer, type HelloVersion } from '../src/tls/hello.ts';
import { connect, createStubResolver, handshake, keyedLimit, quit, rawHello, startTls } from './minimal/wire.ts';

/**
 * The yardstick of issue 11's CPU budget: a scan that does the same network work per domain as Vouch and nothing
 * else (no judging, no evidence, no reports). What "the same work" is, is WORK below, read off Vouch's run of the
 * bench estate (its probe stats and the servers' counters, DNS questions by shape and CD bit); the bench prints both
 * scans' counters side by side, so a difference shows. Every hello is built for its name (SNI), as a scanner must.
 *
 * Per domain: the DNS questions, one verified handshake (ALPN, staple asked) carrying the HTTPS requests over
 * keep-alive, five hand-built hellos (Vouch's fingerprint: TLS 1.3 to SSLv3), one plain-HTTP request.
 * Per web address, once: the configuration's measurement (enumeration, hygiene, weakness probes): raw hellos and
 * full handshakes. Per MX host, once: its DNS questions and SMTP sessions, each up to STARTTLS, then either a full
 * handshake and QUIT or one raw hello. Politeness as Vouch's: 2 connections per address and port, 1 per MX address.
 * DNSSEC (issue 13): the questions Vouch's validator asks, with DO and CD, answers read but not validated (no
 * signature is verified: the yardstick is the network work; what verifying costs is Vouch's to count).
 */
export const WORK = {
  domainDns: [['', 'A'], ['', 'AAAA'], ['', 'MX'], ['', 'TXT'], ['', 'CAA'], ['', 'NS'], ['_443._tcp.', 'TLSA'], ['_dmarc.', 'TXT'],
    ['sel1._domainkey.', 'TXT'], ['_mta-sts.', 'TXT'], ['_smtp._tls.', 'TXT']] as const satisfies readonly DnsQuestion[],
  /** dns.dnssec: the domain's SOA (a signed NODATA here) and A. */
  domainDnssec: [['', 'SOA'], ['', 'A']] as const satisfies readonly DnsQuestion[],
  httpsPaths: [['/', {}], ['/', { origin: 'https://vouch-cors-probe.invalid' }], ['/.well-known/security.txt', {}]] as const,
  fingerprint: ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3'] as const satisfies readonly HelloVersion[],
  perAddress: { handshakes: 4, rawHellos: 25 },
  mxDns: [['', 'A'], ['', 'AAAA'], ['_25._tcp.', 'TLSA']] as const satisfies readonly DnsQuestion[],
  /** mail.dnssec-mx and mail.dane: the MX host's A and its TLSA. */
  mxDnssec: [['', 'A'], ['_25._tcp.', 'TLSA']] as const satisfies readonly DnsQuestion[],
  perMx: { handshakes: 4, rawHellos: 31 },
  /**
   * Asked once per run: the parent zone's CAA (every domain's CAA check walks up to it), its NS, their addresses and
   * the SOA from each name server (dns.name-servers asks them directly: the same server here), the root's DNSKEY.
   */
  onceDns: [['bench.test', 'CAA'], ['bench.test', 'NS'], ['ns1.bench.test', 'A'], ['ns2.bench.test', 'A'], ['ns1.bench.test', 'AAAA'],
    ['ns2.bench.test', 'AAAA'], ['bench.test', 'SOA'], ['bench.test', 'SOA']] as const satisfies readonly DnsQuestion[],
  onceDnssec: [['.', 'DNSKEY']] as const satisfies readonly DnsQuestion[],
};

type DnsQuestion = readonly [string, dnsPacket.RecordType];

export type MinimalScanOptions = {
  readonly domains: number;
  readonly nameOf: (i: number) => string;
  readonly resolver: { readonly address: string; readonly port: number };
  /** Dial ports by service, as the estate's connect-to rules give them. */
  readonly ports: { readonly https: number; readonly http: number; readonly smtp: number };
  readonly caPem: string;
  /** Domains in flight at once, as Vouch's window. */
  readonly window: number;
  /** The DNSSEC validator's questions (WORK's `*Dnssec`), as Vouch asks them with its DNSSEC checks (default true). */
  readonly dnssec?: boolean;
};

const HEADERS = { 'user-agent': 'vouch-bench-minimal', accept: '*/*' };

export async function runMinimalScan(options: MinimalScanOptions): Promise<{ domains: number; failures: number; firstFailure: string | null }> {
  const { ports } = options;
  const resolver = createStubResolver(options.resolver);
  const context = tls.createSecureContext({ ca: options.caPem });
  const perDestination = keyedLimit(2);
  const perMx = keyedLimit(1);
  const addressesDone = new Set<string>();
  const mxDone = new Map<string, Promise<void>>();
  const polite = <T>(address: string, port: number, work: () => Promise<T>) => perDestination(`${address}:${port}`, work);
  const ask = (questions: readonly DnsQuestion[], name: string) => questions.map(([prefix, type]) => resolver.query(`${prefix}${name}`, type));
  const validatorAsks = (questions: readonly DnsQuestion[], name: string) => (options.dnssec === false ? []
    : questions.map(([prefix, type]) => resolver.query(`${prefix}${name}`, type, { checkingDisabled: true })));

  const hello = (version: HelloVersion, name: string) => buildClientHello(fullOffer(version, name));
  const helloAt = (address: string, name: string, version: HelloVersion) =>
    polite(address, ports.https, async () => rawHello(await connect(address, ports.https), hello(version, name)));
  const fullHandshake = (address: string, name: string) =>
    polite(address, ports.https, async () => (await handshake({ address, port: ports.https, servername: name, context })).destroy());

  const https = (address: string, name: string) => polite(address, ports.https, async () => {
    const socket = await handshake({ address, port: ports.https, servername: name, context, alpn: true });
    await requests(`https://${name}`, socket, WORK.httpsPaths);
  });
  const http = (address: string, name: string) => polite(address, ports.http, async () => {
    await requests(`http://${name}`, await connect(address, ports.http), [['/', {}]]);
  });

  const measureAddress = async (address: string, name: string) => {
    const versions: HelloVersion[] = ['TLSv1.3', 'TLSv1.2'];
    await Promise.all([
      ...Array.from({ length: WORK.perAddress.rawHellos }, (_, n) => helloAt(address, name, versions[n % 2]!)),
      ...Array.from({ length: WORK.perAddress.handshakes }, () => fullHandshake(address, name)),
    ]);
  };

  const smtpSession = (address: string, finish: (socket: net.Socket) => Promise<void>) => perMx(address, async () => {
    const socket = await connect(address, ports.smtp);
    await startTls(socket);
    await finish(socket);
  });
  const measureMx = async (mx: string) => {
    const [[a]] = await Promise.all([Promise.all(ask(WORK.mxDns, mx)), Promise.all(validatorAsks(WORK.mxDnssec, mx))]);
    const address = String(a?.[0]);
    await Promise.all([
      ...Array.from({ length: WORK.perMx.handshakes }, () => smtpSession(address, async (socket) =>
        quit(await handshake({ address, port: ports.smtp, servername: mx, context, socket })))),
      ...Array.from({ length: WORK.perMx.rawHellos }, (_, n) => smtpSession(address, (socket) => rawHello(socket, hello(n % 2 ? 'TLSv1.2' : 'TLSv1.3', mx)))),
    ]);
  };

  const scanDomain = async (name: string) => {
    const [answers] = await Promise.all([Promise.all(ask(WORK.domainDns, name)), Promise.all(validatorAsks(WORK.domainDnssec, name))]);
    const address = String(answers[0]?.[0]);
    const mx = (answers[2]?.[0] as { exchange?: string } | undefined)?.exchange;
    const firstOnAddress = !addressesDone.has(address);
    addressesDone.add(address);
    let mxWork = mx === undefined ? undefined : mxDone.get(mx);
    if (mx !== undefined && !mxWork) mxDone.set(mx, (mxWork = measureMx(mx)));
    await Promise.all([
      https(address, name), http(address, name), ...WORK.fingerprint.map((version) => helloAt(address, name, version)),
      ...(firstOnAddress ? [measureAddress(address, name)] : []), mxWork,
    ]);
  };

  let failures = 0;
  let firstFailure: string | null = null;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < options.domains; i = next++) {
      const name = options.nameOf(i);
      await withinDeadline(scanDomain(name)).catch((err: unknown) => { failures++; firstFailure ??= `${name}: ${String(err)}`; });
    }
  };
  try {
    await Promise.all([...Array.from({ length: options.window }, worker), ...ask(WORK.onceDns, ''), ...validatorAsks(WORK.onceDnssec, '')]);
  } finally {
    resolver.close();
  }
  return { domains: options.domains, failures, firstFailure };
}

/** A domain that takes longer than this counts as failed, so that a hang shows as a failure, not as a bench that never ends. */
const DOMAIN_DEADLINE_MS = 60_000;

function withinDeadline(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`not done within ${DOMAIN_DEADLINE_MS} ms`)), DOMAIN_DEADLINE_MS); });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** HTTP requests one after another on one connection (keep-alive), bodies read, then the connection closed. */
async function requests(origin: string, socket: net.Socket, paths: readonly (readonly [string, Readonly<Record<string, string>>])[]): Promise<void> {
  // undici must get the socket after connect() has returned (as Vouch's connector hands it over, from a promise).
  const client = new Client(origin, { connect: (_options, callback) => queueMicrotask(() => callback(null, socket)), pipelining: 1 });
  try {
    for (const [path, extra] of paths) {
      const res = await client.request({ path, method: 'GET', headers: { ...HEADERS, ...extra } });
      await res.body.arrayBuffer();
    }
  } finally {
    await client.destroy();
  }
}
