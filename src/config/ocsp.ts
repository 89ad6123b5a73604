import { allowedKeys } from './definition/index.ts';
import { checkKeys, readBoolean, readMapping, type Problems } from './fields.ts';

/** The `ocsp` key: revocation checks beyond the staple. */
export type OcspConfig = {
  /**
   * Ask the certificate's own OCSP responder (its AIA OCSP URL, plain HTTP) about every web and MX leaf, once per
   * certificate per run and one request at a time per responder. Off by default: the CA's servers are not the
   * scanned organisation's, and a scan should not load them unasked.
   */
  readonly queryResponder: boolean;
};

/** `ocsp: { queryResponder: false }`. */
export function readOcsp(raw: unknown, problems: Problems): OcspConfig {
  const node = readMapping(raw ?? {}, 'ocsp', problems) ?? {};
  checkKeys(node, 'ocsp', allowedKeys('ocsp'), problems);
  return { queryResponder: readBoolean(node['queryResponder'], 'ocsp.queryResponder', problems) ?? false };
}
