import type { Verdict } from '../../core/endpoints.ts';
import { ProbeError } from '../../core/errors.ts';
import type { TlsFacts } from '../../probes/types.ts';
import { readPemExtensions, type ExtensionsRead } from '../certificate-extensions.ts';
import type { TlsEnumeration } from '../enumerate.ts';
import type { SctExtensionFact } from '../fingerprint.ts';
import { parseOcspResponse, serialHex } from '../ocsp.ts';
import { parseSctList, type Sct } from '../sct.ts';

/**
 * Certificate Transparency as browsers require it, counted from the SCTs of all three sources RFC 6962 3.3 allows:
 * embedded in the certificate (extension 1.3.6.1.4.1.11129.2.4.2), in the TLS signed_certificate_timestamp
 * extension (3.3.1; Node's TLS client cannot ask for it, so it comes from the name's raw fingerprint hellos at
 * TLS <= 1.2, src/tls/fingerprint.ts), and in the stapled OCSP response (SingleResponse extension
 * 1.3.6.1.4.1.11129.2.4.5, src/tls/ocsp.ts).
 *
 * Policy: Chrome's Certificate Transparency policy (googlechrome.github.io/CertificateTransparency/ct_policy.html,
 * the version in force since 2022-04-15) and Apple's (support.apple.com/103214) agree on the count: with embedded
 * SCTs only, at least 2 from distinct logs for a certificate valid 180 days or less, 3 for a longer one; when SCTs
 * are also delivered in the handshake (TLS extension or OCSP staple), 2 from distinct logs over all SCTs. Both also
 * demand distinct log operators and logs that are qualified at check time; that needs the browsers' log lists,
 * which Vouch does not ship, so logs are told apart by log id only. SCT signatures need each log's key: SCTs are
 * counted, never verified, and the evidence says so and where each SCT came from.
 *
 * Verdicts: enough SCTs passes. CT is enforced for publicly trusted certificates only (Chrome and Apple exempt
 * roots a user or administrator added), so too few SCTs fails when the chain ends at a bundled (public) root; it
 * also fails when SCTs are there at all, since the CA or the operator then takes part in CT and got it wrong. No
 * SCTs under a private or unknown root warns: browsers do not require them there. Too few SCTs while a source could
 * not be read is `error` (client-limitation): the unread source might make up the difference.
 */

const DAY_MS = 86_400_000;
export const CT_POLICY = 'Chrome CT policy (2022-04-15) / Apple CT policy: embedded only, 2 SCTs from distinct logs up to 180 days of validity, 3 beyond; with SCTs delivered by TLS extension or OCSP staple, 2 from distinct logs';

/** Where an SCT came from, as the evidence names it. */
export type SctSource = 'embedded' | 'tls-extension' | 'ocsp-staple';

/** What the TLS extension showed: the fingerprint's fact, or why it was not read. */
export type SctExtensionRead =
  | { readonly read: true; readonly fact: SctExtensionFact | null }
  | { readonly read: false; readonly why: string };

type SourceRead = {
  readonly read: boolean;
  /** What was seen, or why the source was not read. */
  readonly note: string;
  readonly scts: readonly Sct[];
  readonly unknownVersions: number;
  /** The SCT list was there but did not parse. */
  readonly problem: string | null;
};

/** SCTs needed for a certificate of this lifetime (notBefore to notAfter) when all SCTs are embedded. */
export function requiredScts(lifetimeDays: number): number {
  return lifetimeDays <= 180 ? 2 : 3;
}

/** The TLS extension's SCTs for a name, from its enumeration facts (the name's own fingerprint in them). */
export async function readSctExtension(enumeration: () => Promise<TlsEnumeration>): Promise<SctExtensionRead> {
  try {
    const facts = await enumeration();
    if (!facts.fingerprint) {
      return { read: false, why: 'not read: with tls.measure per-name no fingerprint hellos are sent, and Node\'s TLS client cannot ask for signed_certificate_timestamp (RFC 6962 3.3.1)' };
    }
    return { read: true, fact: facts.fingerprint.sctExtension };
  } catch (err) {
    return { read: false, why: `not read: the raw TLS hellos failed (${err instanceof Error ? err.message : String(err)})` };
  }
}

function fromList(list: Buffer, note: string): SourceRead {
  const parsed = parseSctList(list);
  if (!parsed.ok) return { read: true, note: `${note}, which does not parse: ${parsed.problem}`, scts: [], unknownVersions: 0, problem: parsed.problem };
  return { read: true, note, scts: parsed.scts, unknownVersions: parsed.unknown.length, problem: null };
}

const nothing = (read: boolean, note: string): SourceRead => ({ read, note, scts: [], unknownVersions: 0, problem: null });

function embeddedSource(extensions: Extract<ExtensionsRead, { ok: true }>): SourceRead {
  return extensions.sctList ? fromList(extensions.sctList, 'the certificate\'s SCT list extension') : nothing(true, 'no SCT list extension in the certificate');
}

function extensionSource(extension: SctExtensionRead): SourceRead {
  if (!extension.read) return nothing(false, extension.why);
  const fact = extension.fact;
  if (fact === null) {
    return nothing(false, 'not read: the server chose no TLS version up to 1.2, and TLS 1.3 sends SCTs inside the encrypted Certificate message');
  }
  if (fact.listHex === null) return nothing(true, `asked for at ${fact.version}: the ServerHello carried no signed_certificate_timestamp`);
  return fromList(Buffer.from(fact.listHex, 'hex'), `the ${fact.version} ServerHello's signed_certificate_timestamp extension`);
}

/** RFC 6962 3.3: the SCT list in the staple's SingleResponse for this certificate (matched by serial number). */
function stapleSource(tls: TlsFacts, leafSerial: string): SourceRead {
  const staple = tls.ocspStaple;
  if (staple === undefined) return nothing(false, 'not read: the handshake did not ask for a staple');
  if (staple === null) return nothing(true, 'no OCSP staple');
  const parsed = parseOcspResponse(Buffer.from(staple.der, 'base64'));
  if (!parsed.ok) return nothing(true, `the OCSP staple does not decode (${parsed.problem})`);
  if (!parsed.basic) return nothing(true, `the OCSP staple carries no basic response (${parsed.responseStatus})`);
  const serial = serialHex(Buffer.from(leafSerial, 'hex'));
  const single = parsed.basic.responses.find((r) => r.serialNumber === serial);
  if (!single) return nothing(true, 'the OCSP staple has no answer for this certificate');
  if (single.sctList === null) return nothing(true, 'the OCSP staple has no SCT list extension');
  if (!Buffer.isBuffer(single.sctList)) return { ...nothing(true, single.sctList.problem), problem: single.sctList.problem };
  return fromList(single.sctList, 'the OCSP staple\'s SCT list extension');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function judgeTransparency(tls: TlsFacts, extension: SctExtensionRead): Verdict {
  const leaf = tls.chain[0];
  if (!leaf) return { status: 'fail', summary: 'no certificate was served', evidence: {} };
  const read = readPemExtensions(leaf.pem);
  if (!read.ok) throw new ProbeError('client-limitation', tls.endpoint, `the leaf's extensions could not be decoded: ${read.problem}`);
  // One decimal: an exactly 180-day certificate stays at 180 (X.509 validity is inclusive, a second either way).
  const lifetimeDays = Math.round((Date.parse(leaf.notAfter) - Date.parse(leaf.notBefore)) / DAY_MS * 10) / 10;
  const sources: Record<SctSource, SourceRead> = {
    embedded: embeddedSource(read), 'tls-extension': extensionSource(extension), 'ocsp-staple': stapleSource(tls, leaf.serialNumber),
  };
  const all = (Object.entries(sources) as [SctSource, SourceRead][]).flatMap(([source, s]) => s.scts.map((sct) => ({ source, sct })));
  const delivered = all.length - sources.embedded.scts.length;
  const required = delivered > 0 ? 2 : requiredScts(lifetimeDays);
  const distinctLogs = new Set(all.map((s) => s.sct.logId)).size;
  const anchor = tls.chainPath.anchor;
  const publiclyTrusted = anchor?.source === 'bundled';
  const unread = (Object.entries(sources) as [SctSource, SourceRead][]).filter(([, s]) => !s.read).map(([name]) => name);
  const evidence = {
    policy: CT_POLICY, lifetimeDays, required, embedded: sources.embedded.scts.length, tlsExtension: sources['tls-extension'].scts.length,
    ocspStaple: sources['ocsp-staple'].scts.length, distinctLogs, verified: false,
    verification: 'counted, not verified: checking SCT signatures needs the logs\' public keys, which Vouch does not ship',
    scts: all.map(({ source, sct }) => ({ source, logId: sct.logId, timestamp: sct.timestamp, hashAlgorithm: sct.hashAlgorithm, signatureAlgorithm: sct.signatureAlgorithm })),
    sources: Object.fromEntries(Object.entries(sources).map(([name, s]) => [name, { read: s.read, scts: s.scts.length, unknownVersions: s.unknownVersions, note: s.note }])),
    precertificate: read.precertificate, anchor: anchor ? { subject: anchor.subject, source: anchor.source } : null, publiclyTrusted,
  };
  const parts = [
    plural(sources.embedded.scts.length, 'embedded SCT'),
    ...(sources['tls-extension'].scts.length > 0 ? [`${plural(sources['tls-extension'].scts.length, 'SCT')} in the TLS extension`] : []),
    ...(sources['ocsp-staple'].scts.length > 0 ? [`${plural(sources['ocsp-staple'].scts.length, 'SCT')} in the OCSP staple`] : []),
  ];
  const counted = `${parts.join(' + ')} from ${plural(distinctLogs, 'distinct log')}`;
  const need = delivered > 0 ? `${required} needed with SCTs delivered in the handshake` : `${required} needed for a ${lifetimeDays}-day certificate`;
  if (read.precertificate) return { status: 'fail', summary: 'the server sends a precertificate (CT poison extension, RFC 6962 3.1), which no client accepts', evidence };
  if (distinctLogs >= required) return { status: 'pass', summary: `${counted} (${need}; counted, not verified)`, evidence };
  const problems = Object.values(sources).flatMap((s) => (s.problem ? [s.problem] : []));
  const unreadable = problems.length > 0 ? ` (an SCT list does not parse: ${problems.join('; ')})` : '';
  const present = all.length > 0 || read.sctList !== null || problems.length > 0;
  const root = anchor ? `a configured root (${anchor.subject})` : 'a root that is not trusted';
  const notRead = unread.length > 0 ? ` (not read: ${unread.join(', ')})` : '';
  if (!publiclyTrusted && !present) {
    return { status: 'warn', summary: `no embedded SCTs, none in the TLS extension or the OCSP staple${notRead}; browsers require them only for publicly trusted certificates, and this chain ends at ${root}`, evidence };
  }
  if (unread.length > 0) {
    return { status: 'error', reason: 'client-limitation', summary: `${counted}${unreadable}; ${need}, and the SCTs of ${unread.join(' and ')} were not read, which could make up the difference`, evidence };
  }
  if (publiclyTrusted) return { status: 'fail', summary: `${counted}${unreadable}; ${need}: browsers reject this publicly trusted certificate`, evidence };
  return { status: 'fail', summary: `${counted}${unreadable}; ${need}: the certificate takes part in CT but does not meet the policy`, evidence };
}
