import type { IncomingMessage, ServerResponse } from 'node:http';
import { AsnConvert } from '@peculiar/asn1-schema';
import { OCSPRequest } from '@peculiar/asn1-ocsp';
import { startHttpServer, type LabHttpServer } from './http-server.ts';
import { buildOcspResponseForSerial, type StapleVariant } from './ocsp.ts';
import type { LabCa } from './pki.ts';

/**
 * A tiny OCSP responder (RFC 6960 A.1: POST of an application/ocsp-request) on 127.0.0.1 for tests. The path names
 * the answer, so a lab leaf chooses its own by its AIA URL (`urlFor('revoked')` -> `http://127.0.0.1:<port>/revoked`):
 * any StapleVariant of src/lab/ocsp.ts, signed by the CA given to `answerFor` (the estate's, known only once it
 * started). Anything that is not a POST of a readable OCSPRequest gets HTTP 400, as real responders answer.
 */
export type LabOcspResponder = {
  readonly port: number;
  /** The AIA OCSP URL for leaves that should get `variant`. */
  urlFor(variant: StapleVariant): string;
  /** The CA whose leaves are asked about (and whose key signs the answers). */
  answerFor(ca: LabCa): void;
  /** OCSP requests received (a POST with a body), and the most that were in flight at once. */
  requests(): number;
  maxInFlight(): number;
  close(): Promise<void>;
};

/** `delayMs`: wait this long before each answer, so overlapping requests would show in `maxInFlight`. */
export async function startOcspResponder(options: { delayMs?: number } = {}): Promise<LabOcspResponder> {
  let ca: LabCa | null = null;
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const answer = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const variant = (req.url ?? '/').slice(1).split('?')[0] as StapleVariant;
    let serial: ArrayBuffer;
    try {
      if (req.method !== 'POST' || !ca) throw new Error('not an OCSP request');
      const request = AsnConvert.parse(body, OCSPRequest);
      const first = request.tbsRequest.requestList[0];
      if (!first) throw new Error('no request');
      serial = first.reqCert.serialNumber;
    } catch {
      res.statusCode = 400;
      res.end();
      return;
    }
    const der = buildOcspResponseForSerial(ca, serial, variant);
    res.setHeader('content-type', 'application/ocsp-response');
    res.end(der);
  };
  const server: LabHttpServer = await startHttpServer({
    fallback: (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        requests++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight--;
          answer(req, res, Buffer.concat(chunks));
        }, options.delayMs ?? 0);
      });
    },
  });
  return {
    port: server.port,
    urlFor: (variant) => `http://127.0.0.1:${server.port}/${variant}`,
    answerFor: (issuer) => { ca = issuer; },
    requests: () => requests,
    maxInFlight: () => maxInFlight,
    close: () => server.close(),
  };
}
