import type { Endpoint } from '../core/types.ts';
import type { MeasureMode } from '../config/tls.ts';
import { FINGERPRINT_VERSIONS, type SharedFrom, type TlsFingerprint } from '../tls/fingerprint.ts';

/**
 * One measurement per TLS configuration, not per hosted name (issue 9, "The default scan ... at least 120 domains/s").
 *
 * A shared-hosting address may serve thousands of the scanned names with one TLS configuration. The enumeration
 * (about 20 hellos) and the hygiene and weakness probes describe that configuration, so measuring them again for
 * every name costs the server and the scan twenty times what the answer needs. Here each name first gets its
 * fingerprint (five hellos, `src/tls/fingerprint.ts`); names on the same address, port and transport whose
 * fingerprints are equal share one measurement of each kind, taken through whichever of them asked first, and every
 * shared result says so (`sharedFrom`). Nothing is shared when the fingerprint is unclear, when the measurement
 * failed or is incomplete (`usable`), or across addresses; `tls.measure: per-name` turns sharing off.
 *
 * Memory (issue 11: bounded, whatever the number of domains): one entry per address and configuration (at most
 * `maxConfigurationsPerAddress`), holding the promise of each kind's facts, for the `maxAddresses` addresses used
 * most recently. An address that falls out is measured again if a name on it comes later: a repeated measurement,
 * never a wrong share. Shared-hosting addresses, asked for again and again, stay.
 */

export type Transport = 'tls' | 'smtp-starttls';

export type EndpointSharingOptions = {
  readonly mode: MeasureMode;
  /** The name's fingerprint (cached by the caller); throws when nothing answered at all. */
  readonly fingerprint: (ep: Endpoint, transport: Transport) => Promise<TlsFingerprint>;
  /** The label the evidence uses for an endpoint. */
  readonly label: (ep: Endpoint) => string;
  /** Distinct configurations remembered per address; a name beyond them is measured on its own. */
  readonly maxConfigurationsPerAddress?: number;
  /** Addresses remembered (least recently used forgotten first); default MAX_ADDRESSES. */
  readonly maxAddresses?: number;
};

/**
 * Addresses whose measurements are remembered. A shared address's facts are some 50 KB (an enumeration, hygiene,
 * resumption, renegotiation and four weakness probes), so this is about 50 MB at most; an estate's shared-hosting
 * addresses are far fewer, and a one-name address is never asked again.
 */
export const MAX_ADDRESSES = 1024;

export type EndpointSharing = {
  /**
   * `measure`'s facts for `ep`, or facts of the same `kind` measured through another name with the same fingerprint
   * (with `sharedFrom`). `usable` says whether a measurement may stand for other names (default: any that resolved).
   */
  share<T extends object>(kind: string, ep: Endpoint, transport: Transport, measure: () => Promise<T>, usable?: (facts: T) => boolean): Promise<T>;
};

type Measured = { readonly through: string; readonly facts: Promise<unknown> };
type Configuration = { readonly fingerprint: string; readonly measured: Map<string, Measured> };

const VERSIONS_TEXT = FINGERPRINT_VERSIONS.join(', ');

export function createEndpointSharing(options: EndpointSharingOptions): EndpointSharing {
  const byAddress = new Map<string, Configuration[]>();
  const maxConfigurations = options.maxConfigurationsPerAddress ?? 16;
  const maxAddresses = options.maxAddresses ?? MAX_ADDRESSES;

  const configurationOf = (ep: Endpoint, transport: Transport, fingerprint: string): Configuration | null => {
    const addressKey = `${transport}@${ep.address}:${ep.dialPort}`;
    const configurations = byAddress.get(addressKey) ?? [];
    // Map order is recency: re-inserted on every use, the first key is the least recently used.
    byAddress.delete(addressKey);
    byAddress.set(addressKey, configurations);
    if (byAddress.size > maxAddresses) byAddress.delete(byAddress.keys().next().value as string);
    const known = configurations.find((c) => c.fingerprint === fingerprint);
    if (known) return known;
    if (configurations.length >= maxConfigurations) return null;
    const created: Configuration = { fingerprint, measured: new Map() };
    configurations.push(created);
    return created;
  };

  return {
    async share(kind, ep, transport, measure, usable) {
      if (options.mode === 'per-name') return measure();
      const fingerprint = await options.fingerprint(ep, transport);
      if (!fingerprint.clear) return measure();
      const configuration = configurationOf(ep, transport, fingerprint.answers.join('\n'));
      if (!configuration) return measure();
      const label = options.label(ep);
      const earlier = configuration.measured.get(kind);
      if (!earlier) {
        const facts = measure();
        configuration.measured.set(kind, { through: label, facts });
        facts.catch(() => {}); // a failure is this name's own result (returned below), and never shared
        return facts;
      }
      if (earlier.through === label) return earlier.facts as ReturnType<typeof measure>;
      const facts = await (earlier.facts as ReturnType<typeof measure>).then((f) => f, () => null);
      if (facts === null || (usable && !usable(facts))) return measure();
      const sharedFrom: SharedFrom = {
        measuredThrough: earlier.through,
        because: `same address and port, and the same answers to the broadest offer at each of ${VERSIONS_TEXT} `
          + `(${fingerprint.connections} hellos for this name)`,
      };
      return { ...facts, sharedFrom };
    },
  };
}
