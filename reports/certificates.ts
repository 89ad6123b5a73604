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
  /** The configured thresholds the check judged it by (`warnDays`, `failDays` beside `daysLeft`); null if absent. */
  readonly warnDays: number | null;
  readonly failDays: number | null;
  /**
   * The name it was served for: the nearest `host` in the evidence (the domain's web host, or the MX host); null if
   * none. Optional only so that hand-made expiries (tests of the HTML overview) need not name it; always set here.
   */
  readonly host?: string | null;
  /** The service port it was served on: the nearest numeric `port` (443, 25; never the lab's dial port); null if none. */
  readonly port?: number | null;
};

type JsonRecord = { readonly [key: string]: Json };
const isRecord = (v: Json | undefined): v is JsonRecord => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: Json | undefined): string | null => (typeof v === 'string' ? v : null);
const days = (v: Json | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const port = (v: Json | undefined): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 65536 ? v : null);

/** What the enclosing evidence objects said about where a certificate was served. */
type Place = { readonly address: string | null; readonly host: string | null; readonly port: number | null };

/**
 * Certificate expiries from every evidence object that carries a numeric `daysLeft` (the expiry checks, web or mail;
 * other certificate checks show the same leaf and would only repeat it), at any depth: per address as
 * judgeEndpoints writes it, per MX host, or flat. Evidence came from the network, so values are type-checked here,
 * never trusted.
 */
export function certificateExpiries(results: readonly ReportResult[]): CertificateExpiry[] {
  const out: CertificateExpiry[] = [];
  for (const r of results) {
    const walk = (value: Json, where: Place): void => {
      if (Array.isArray(value)) {
        for (const item of value) walk(item, where);
        return;
      }
      if (!isRecord(value)) return;
      const here: Place = {
        address: text(value['address']) ?? text(value['host']) ?? where.address,
        host: text(value['host']) ?? where.host,
        port: port(value['port']) ?? where.port,
      };
      const daysLeft = value['daysLeft'];
      if (typeof daysLeft === 'number' && Number.isFinite(daysLeft)) {
        const leaf = value['leaf'];
        const notAfter = isRecord(leaf) ? text(leaf['notAfter']) : text(value['notAfter']);
        out.push({
          domain: r.domain, checkId: r.checkId, address: here.address, notAfter, daysLeft,
          warnDays: days(value['warnDays']), failDays: days(value['failDays']), host: here.host, port: here.port,
        });
        return;
      }
      for (const child of Object.values(value)) walk(child, here);
    };
    if ('evidence' in r && r.evidence !== undefined) walk(r.evidence, { address: null, host: null, port: null });
  }
  return out;
}
