import type { Json } from '../src/core/types.ts';
import type { ReportResult } from './types.ts';

/** One certificate's expiry as a result's evidence shows it: for the HTML overview and the Prometheus gauge. */
export type CertificateExpiry = {
  readonly domain: string;
  readonly checkId: string;
  /** Where the certificate was served: the nearest `address` (else `host`) in the evidence; null if none. */
  readonly address: string | null;
  readonly notAfter: string | null;
  readonly daysLeft: number;
};

type JsonRecord = { readonly [key: string]: Json };
const isRecord = (v: Json | undefined): v is JsonRecord => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: Json | undefined): string | null => (typeof v === 'string' ? v : null);

/**
 * Certificate expiries from every evidence object that carries a numeric `daysLeft` (the expiry checks, web or mail;
 * other certificate checks show the same leaf and would only repeat it), at any depth: per address as
 * judgeEndpoints writes it, per MX host, or flat. Evidence came from the network, so values are type-checked here,
 * never trusted.
 */
export function certificateExpiries(results: readonly ReportResult[]): CertificateExpiry[] {
  const out: CertificateExpiry[] = [];
  for (const r of results) {
    const walk = (value: Json, where: string | null): void => {
      if (Array.isArray(value)) {
        for (const item of value) walk(item, where);
        return;
      }
      if (!isRecord(value)) return;
      const here = text(value['address']) ?? text(value['host']) ?? where;
      const daysLeft = value['daysLeft'];
      if (typeof daysLeft === 'number' && Number.isFinite(daysLeft)) {
        const leaf = value['leaf'];
        const notAfter = isRecord(leaf) ? text(leaf['notAfter']) : text(value['notAfter']);
        out.push({ domain: r.domain, checkId: r.checkId, address: here, notAfter, daysLeft });
        return;
      }
      for (const child of Object.values(value)) walk(child, here);
    };
    if ('evidence' in r && r.evidence !== undefined) walk(r.evidence, null);
  }
  return out;
}
