/**
 * THE configuration definition: every key Vouch's configuration file accepts. The loader (src/config/load.ts and
 * its readers) takes its allowed keys and integer bounds from here; docs/configuration.md and
 * reports/schema/config.schema.json are generated from it (src/config/reference/, test/config/reference.test.ts).
 * Defaults are those of src/config/defaults.ts, so the docs show what the loader applies.
 */
import { REPORT_FORMATS } from '../../core/types.ts';
import { PROMETHEUS_PER_RESULT } from '../../../reports/types.ts';
import type { Thresholds } from '../settings.ts';
import { DEFAULT_COOKIE_CATEGORIES, DEFAULT_PROBE_SETTINGS as PROBE, DEFAULT_THRESHOLDS } from '../defaults.ts';
import { BROWSER_KEYS } from './browser.ts';
import { COMPLIANCE_KEYS } from './compliance.ts';
import { DOMAIN_KEYS } from './domains.ts';
import { DNSSEC_KEYS } from './dnssec.ts';
import { NETWORK_DEPTH_KEYS } from './network-depth.ts';
import { QUEUE_KEYS } from './queue.ts';
import { boundsAt, keysAt, type KeyTable, type MappingDefinition, type ValueDefinition } from './types.ts';

const int = (min: number, max: number, description: string, extra: { default?: number; defaultText?: string; example?: number } = {}): ValueDefinition =>
  ({ type: 'integer', min, max, description, ...extra });
const paths = (description: string, item: string, example: string[]): ValueDefinition =>
  ({ type: 'list', items: { type: 'string', format: 'path', description: item }, default: [], example, description });

/** Typed by Thresholds: a threshold without a description here does not compile. */
const THRESHOLD_TEXT: Readonly<Record<keyof Thresholds, string>> = {
  hstsMinMaxAgeSeconds: 'The smallest HSTS max-age that passes, in seconds.',
  certExpiryWarnDays: 'A certificate expiring within this many days is a warning.',
  certExpiryFailDays: 'A certificate expiring within this many days fails (at most `certExpiryWarnDays`).',
  minRsaBits: 'A floor below which an RSA certificate key fails whatever `tls.profile` says (the profile judges key sizes).',
  minEcBits: 'A floor below which an EC certificate key fails whatever `tls.profile` says.',
  dkimMinRsaBits: 'A DKIM RSA key shorter than this fails.',
  dkimWarnRsaBits: 'A DKIM RSA key shorter than this is a warning.',
  securityTxtMaxExpiryDays: 'A security.txt `Expires` further away than this many days is a warning (RFC 9116 advises under a year).',
};
const THRESHOLDS: KeyTable = Object.fromEntries((Object.keys(THRESHOLD_TEXT) as (keyof Thresholds)[]).map((key) =>
  [key, int(0, 1_000_000_000, THRESHOLD_TEXT[key], { default: DEFAULT_THRESHOLDS[key], example: DEFAULT_THRESHOLDS[key] })]));

const SCAN_KEYS: KeyTable = {
  resolvers: {
    type: 'list', minItems: 1, example: ['9.9.9.9', '149.112.112.112'], defaultText: "the system's, from /etc/resolv.conf",
    items: { type: 'string', format: 'address', description: 'An IP address with an optional port: `192.0.2.53`, `192.0.2.53:5353`, `[2001:db8::53]:53`.' },
    description: 'DNS resolvers to ask, in failover order; use validating resolvers you trust, as DNSSEC is judged by their AD bit.',
  },
  trustedCaFiles: paths('Extra certificate authorities (PEM files) trusted besides the system roots.', 'A PEM file of one or more CA certificates.', ['internal-ca.pem']),
  connectTo: {
    type: 'list', default: [], example: ['example.nl:443:192.0.2.10:443'],
    items: { type: 'string', description: '`HOST:PORT:ADDRESS:PORT` (parts may be empty, IPv6 in [brackets]).' },
    description: "Like curl's --connect-to: connect elsewhere while SNI and Host stay the real name; an empty address keeps the resolved one.",
  },
  timeouts: {
    type: 'mapping', example: { probeMs: 5000, checkMs: 30000 }, description: 'How long Vouch waits.',
    keys: {
      probeMs: int(10, 600_000, 'The deadline of each network operation (connect, handshake, DNS query, HTTP response), in milliseconds.', { default: PROBE.timeoutMs, example: 5000 }),
      checkMs: int(10, 3_600_000, 'The deadline of one check on one domain, in milliseconds of its own time: the time it waits for probe answers (in line for a connection slot to a shared address, or for an answer another check is loading) is not counted, up to 10 x checkMs in all. A check past it is `error` (reason `timeout`), with how long it waited.', { defaultText: `${PROBE.checkTimeoutMs}, or 6 x probeMs if that is more`, example: 30000 }),
    },
  },
  concurrency: {
    type: 'mapping', example: { domains: 32, connectionsPerHost: 2, mxConnectionsPerAddress: 1 }, description: 'How much is done at once, and how politely.',
    keys: {
      domains: int(1, 10_000, 'Domains in flight at once (`--concurrency`): memory grows with this, not with the number of domains.', { default: PROBE.domainsInFlight, example: 32 }),
      checks: int(1, 100_000, 'A cap on checks running at once in each worker.', { defaultText: 'no cap', example: 64 }),
      workers: int(1, 256, 'Worker threads (`--workers`).', { defaultText: 'the number of cores, at most one per 50 domains', example: 2 }),
      connectionsPerHost: int(1, 64, 'Connections at once to one web address and port, across all workers.', { default: PROBE.connectionsPerHost, example: 2 }),
      mxConnectionsPerAddress: int(1, 16, 'SMTP connections at once to one MX address, across all workers.', { default: PROBE.mxConnectionsPerAddress, example: 1 }),
    },
  },
  thresholds: { type: 'mapping', keys: THRESHOLDS, example: { certExpiryWarnDays: 30, certExpiryFailDays: 7 }, description: 'The numbers verdicts are measured against.' },
  checks: {
    type: 'mapping', example: { skip: ['http.cors'] }, description: 'Which checks run (`vouch checks` lists them).',
    keys: {
      only: { type: 'list', items: { type: 'string', format: 'glob', description: 'A check id or a `*` glob.' }, default: [], example: ['tls.*', 'http.hsts'], description: 'Run only these checks (`--only` replaces this list); empty: all.' },
      skip: { type: 'list', items: { type: 'string', format: 'glob', description: 'A check id or a `*` glob.' }, default: [], example: ['http.cors'], description: 'Never run these checks.' },
    },
  },
  output: {
    type: 'mapping', example: { dir: './vouch-reports', formats: ['json', 'text'] }, description: 'Where and how reports are written.',
    keys: {
      dir: { type: 'string', format: 'path', example: './vouch-reports', defaultText: 'none: the first format goes to stdout', description: 'The directory for `vouch-<start>.<ext>` per run plus `latest.<ext>` and the run journal (`--out`).' },
      formats: {
        type: 'list', items: { type: 'enum', values: REPORT_FORMATS, description: 'A report format.' }, default: ['json', 'text'], example: ['json', 'html', 'text'],
        description: 'The report formats to write (`--format`).',
      },
      retain: int(1, 100_000, 'Runs to keep in `dir`: the per-run files beyond the newest this many are deleted.', { defaultText: 'keep all', example: 90 }),
    },
  },
  prometheus: {
    type: 'mapping', example: { textfile: '/var/lib/node_exporter/textfile_collector/vouch.prom' }, description: 'Metrics for Prometheus.',
    keys: {
      textfile: {
        type: 'string', format: 'path', example: '/var/lib/node_exporter/textfile_collector/vouch.prom',
        description: "The file node_exporter's textfile collector reads, rewritten atomically after every scan.",
      },
      perResult: {
        type: 'enum', values: PROMETHEUS_PER_RESULT, default: 'findings', example: 'findings',
        description: 'Which results get a `vouch_check_status` series of their own: `findings` (warn, fail, error), `all` (6.8 M series at 100,000 domains x 68 checks), or `none`; totals per check and per domain are always written.',
      },
    },
  },
  plugins: paths('Modules with extra checks (see the README, "Writing a check").', 'A JavaScript module exporting `checks`.', ['./my-checks.mjs']),
  cookieCategories: {
    type: 'list', items: { type: 'string', description: 'A category name.' }, default: [...DEFAULT_COOKIE_CATEGORIES], example: [...DEFAULT_COOKIE_CATEGORIES],
    description: 'The cookie purposes the statement allows; a declared cookie of another category fails `http.cookie-inventory`.',
  },
  ehloName: {
    type: 'string', defaultText: "this machine's host name", example: 'scanner.example.nl',
    description: 'The name Vouch gives in SMTP EHLO: a domain name or an address literal such as `[192.0.2.1]`.',
  },
  ipFamilies: {
    type: 'list', items: { type: 'enum', values: [4, 6], description: 'An IP version.' }, default: [4, 6], example: [4, 6],
    description: 'The address families scanned; `[4]` on a host without IPv6 connectivity (else every IPv6 address is an error).',
  },
  tlsVersionProbe: {
    type: 'enum', values: ['raw', 'node'], default: 'raw', example: 'raw',
    description: "How TLS versions are probed: `raw` hand-built hellos (every version), `node` real handshakes (OpenSSL's limits apply).",
  },
  strictMxCertificates: {
    type: 'boolean', default: false, example: false,
    description: 'Fail, not warn, on MX certificate problems even where no MTA-STS or DANE policy makes them binding.',
  },
  limits: {
    type: 'mapping', example: { maxRedirects: 10 }, description: 'Caps on what is read from a server.',
    keys: {
      maxHeaderBytes: int(1024, 16 * 1024 * 1024, 'Bytes of response headers kept per HTTP response.', { default: PROBE.maxHeaderBytes, example: 1048576 }),
      maxBodyBytes: int(1024, 64 * 1024 * 1024, 'Bytes of a response body read.', { default: PROBE.maxBodyBytes, example: 65536 }),
      maxRedirects: int(0, 50, 'Redirects followed before a chain counts as a loop.', { default: PROBE.maxRedirects, example: 10 }),
    },
  },
  allowRedirectsTo: {
    type: 'list', default: [], example: ['loopback', '10.20.0.0/16'],
    items: { type: 'string', description: '`loopback`, `private`, `link-local`, `unique-local`, or an IPv4 or IPv6 prefix.' },
    description: 'Special networks redirects may lead into; by default a redirect to a private, loopback or other special address is not followed.',
  },
  tls: {
    type: 'mapping', example: { profile: 'ncsc-2025', measure: 'per-address' }, description: 'How TLS is judged and measured.',
    keys: {
      profile: {
        type: 'string', default: 'ncsc-2025', example: 'ncsc-2025',
        description: 'The TLS profile: `ncsc-2025` (NCSC-NL 2025-05), `mozilla-modern`, `mozilla-intermediate`, `mozilla-old`, or the path of a .yaml, .yml or .json file of the same shape.',
      },
      measure: {
        type: 'enum', values: ['per-address', 'per-name'], default: 'per-address', example: 'per-address',
        description: '`per-address`: a shared address is measured once for the names whose fingerprints agree; `per-name`: every name on its own.',
      },
    },
  },
  ocsp: {
    type: 'mapping', example: { queryResponder: false }, description: 'Revocation checks beyond the OCSP staple.',
    keys: {
      queryResponder: { type: 'boolean', default: false, example: false, description: "Also ask each certificate's own OCSP responder (the CA's server), once per certificate per run." },
    },
  },
};

/** The whole file. The key order is the order of the docs and of the loader's "allowed:" messages. */
export const CONFIG_DEFINITION: MappingDefinition = {
  type: 'mapping',
  description: 'A Vouch configuration: the domains to scan, how to scan them, and the promises they are judged against.',
  keys: { ...DOMAIN_KEYS, ...SCAN_KEYS, ...QUEUE_KEYS, ...NETWORK_DEPTH_KEYS, ...DNSSEC_KEYS, ...BROWSER_KEYS, ...COMPLIANCE_KEYS },
};

/** The keys allowed in the mapping at a key path of the configuration (`''` for the top level, `domains[]`, `output`). */
export const allowedKeys = (path: string): string[] => keysAt(CONFIG_DEFINITION, path);

/** `[min, max]` of the whole number at a key path (`timeouts.probeMs`). */
export const integerBounds = (path: string): [number, number] => boundsAt(CONFIG_DEFINITION, path);
