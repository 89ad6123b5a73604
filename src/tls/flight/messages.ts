import { Cursor, reanchor } from './bytes.ts';
import type { CertificateList, CertificateRequestFact, CertificateStatusFact } from './types.ts';

/** The TLS <= 1.2 server messages between ServerHello and ServerHelloDone, other than the ServerKeyExchange. */

/** RFC 5246 7.4.2: ASN.1Cert certificate_list<0..2^24-1>, each ASN.1Cert opaque<1..2^24-1>. */
export function parseCertificate(body: Buffer, maxCertificates: number): CertificateList {
  const c = new Cursor(body, 'Certificate');
  const list = new Cursor(c.vector(3, 'certificate_list'), 'Certificate');
  c.end();
  const der: Buffer[] = [];
  let count = 0;
  while (list.left > 0) {
    const start = list.at;
    try {
      const cert = list.vector(3, `certificate ${count}`, 1);
      if (der.length < maxCertificates) der.push(Buffer.from(cert)); // a copy: do not pin the whole record buffer
    } catch (error) {
      throw reanchor(error, 3 + start);
    }
    count++;
  }
  return { count, der, capped: count > der.length };
}

/**
 * RFC 6066 8: CertificateStatus { status_type; select (status_type) { case ocsp: OCSPResponse response } }, with
 * OCSPResponse opaque<1..2^24-1>; RFC 6961 2.2: ocsp_multi (2) carries OCSPResponse ocsp_response_list<1..2^24-1>
 * of opaque<0..2^24-1> (empty for a certificate without a response).
 */
export function parseCertificateStatus(body: Buffer): CertificateStatusFact {
  const c = new Cursor(body, 'CertificateStatus');
  const statusType = c.u8('status_type');
  const responses: Buffer[] = [];
  if (statusType === 1) {
    responses.push(Buffer.from(c.vector(3, 'OCSPResponse', 1)));
  } else if (statusType === 2) {
    const list = new Cursor(c.vector(3, 'ocsp_response_list', 1), 'CertificateStatus');
    while (list.left > 0) responses.push(Buffer.from(list.vector(3, 'OCSPResponse')));
  } else {
    c.fail(`unknown status_type ${statusType}`, 0);
  }
  c.end();
  return { statusType, responses };
}

/**
 * RFC 5246 7.4.4: certificate_types<1..2^8-1>, supported_signature_algorithms<2..2^16-2> (TLS 1.2 only; absent in
 * RFC 4346 / RFC 2246 7.4.4), DistinguishedName certificate_authorities<0..2^16-1> of opaque<1..2^16-1>.
 */
export function parseCertificateRequest(body: Buffer, tls12: boolean): CertificateRequestFact {
  const c = new Cursor(body, 'CertificateRequest');
  const certificateTypes = [...c.vector(1, 'certificate_types', 1)];
  let signatureAlgorithms: number[] | null = null;
  if (tls12) {
    const list = c.vector(2, 'supported_signature_algorithms', 2, 0xfffe);
    if (list.length % 2 !== 0) c.fail('odd supported_signature_algorithms length', c.at - list.length - 2);
    signatureAlgorithms = [];
    for (let i = 0; i < list.length; i += 2) signatureAlgorithms.push(list.readUInt16BE(i));
  }
  const names = new Cursor(c.vector(2, 'certificate_authorities'), 'CertificateRequest');
  const base = c.at - names.buf.length;
  c.end();
  let authorities = 0;
  while (names.left > 0) {
    const start = names.at;
    try {
      names.vector(2, 'DistinguishedName', 1);
    } catch (error) {
      throw reanchor(error, base + start);
    }
    authorities++;
  }
  return { certificateTypes, signatureAlgorithms, authorities };
}
