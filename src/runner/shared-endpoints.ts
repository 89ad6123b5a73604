import { createHash } from 'node:crypto';
import type { RecordedFact } from '../core/domain-record.ts';
import type { Endpoint } from '../core/types.ts';
import type { MeasureMode } from '../config/tls.ts';
import { FINGERPRINT_VERSIONS, type SharedFrom, type TlsFingerprint } from '../tls/fingerprint.ts';
import type { Lifetime } from './cache.ts';
import { factValue, recordFact } from './fact-codec.ts';

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
 * Memory (issue 11: bounded, whatever the number of domains): per address, its configurations (at most
 * `maxConfigurationsPerAddress`) and, per kind, the name it was measured through, for the `maxAddresses` addresses
 * used most recently. The facts themselves are not held here once measured: they are the probe cache's entry for
 * that name, kept for the run (in recorded form, bounded by bytes, one-name facts dropped first: cache.ts), so an
 * address shared by names thousands of domains apart is still measured once. An address that falls out, or whose
 * facts the cache had to drop, is measured again through the next name that comes: a repeated measurement, never a
 * wrong share.
 *
 * Across processes (issue 11: worker threads; issue 12: a fleet's workers) the run's fact broker carries the same
 * decision (`elsewhere`): the first process to claim an address's configuration of one kind (keyed by address, port,
 * transport, kind and a digest of the fingerprint) measures it through its name and publishes the facts with that
 * name; another process's name with the same fingerprint gets them from the broker, waiting while they are measured.
 * Without it every worker measured each shared address again (2 workers: 14.7 web connections per domain against
 * 10.7 for one, on the bench estate of 256 addresses and 2,000 domains).
 */

export type Transport = 'tls' | 'smtp-starttls';

export type EndpointSharingOptions = {
  readonly mode: MeasureMode;
  /** The name's fingerprint (cached by the caller); throws when nothing answered at all. */
  readonly fingerprint: (ep: Endpoint, transport: Transport) => Promise<TlsFingerprint>;
  /** The label the evidence uses for an endpoint. */
  readonly label: (ep: Endpoint) => string;
  /** Where the measured facts are: the session's probe cache. */
  readonly held: HeldFacts;
  /** Distinct configurations remembered per address; a name beyond them is measured on its own. */
  readonly maxConfigurationsPerAddress?: number;
  /** Addresses remembered (least recently used forgotten first); default MAX_ADDRESSES. */
  readonly maxAddresses?: number;
  /** The run's other scanning processes, through its fact broker (src/runner/probes.ts); none in a one-process scan. */
  readonly elsewhere?: ConfigurationBroker;
};

/** What sharing needs of the run's fact broker (FactBroker, src/runner/probes.ts, which this is a part of). */
export type ConfigurationBroker = {
  claim(key: string, lifetime: Lifetime): Promise<{ readonly load: true } | { readonly fact: RecordedFact }>;
  publish(fact: RecordedFact, lifetime: Lifetime): void;
};

/** The recorded kind of a configuration published for other processes: its facts and the name they were measured through. */
export const PUBLISHED_CONFIGURATION = 'tlsConfigurationShared';
type Published<T> = { readonly measuredThrough: string; readonly facts: T };

/**
 * Addresses remembered. One holds its fingerprint text per configuration (five answer lines, some 300 bytes) and, per
 * kind measured (about ten), which name it was measured through (an entry of some 100 bytes): 1-2 KB, so 8,192
 * addresses take 10-15 MB at most. That covers every web and MX address of a 100,000-domain estate in which 50
 * domains share each MX host and shared hosting is common; beyond it, the least recently used address is forgotten.
 */
export const MAX_ADDRESSES = 8192;

/** What the session holds of the names' facts, by key (the probe cache, src/runner/cache.ts). */
export type HeldFacts = {
  /** Keeps `key`'s answer for the run from now on (other names may come to be answered from it). */
  keep(key: string): void;
  /** `key`'s answer for another name answered from it (kept, and counted as shared), or null when no longer held. */
  recall(key: string): Promise<unknown> | null;
};

/** One name's facts of one kind: measured for it, or answered from the name they were measured through. */
export type Measurement<T> = {
  /** Measures `ep`'s own facts. */
  readonly measure: () => Promise<T>;
  /** The key under which the session holds a name's facts of this kind (its probe kind's cache key). */
  readonly key: (name: Endpoint) => string;
  /** Whether a measurement may stand for other names (default: any that resolved). */
  readonly usable?: (facts: T) => boolean;
};

export type EndpointSharing = {
  /**
   * `ep`'s facts of `kind`: facts measured through another name with the same fingerprint (with `sharedFrom`), or,
   * when there are none (or they failed, are unusable or are no longer held), measured for `ep`, which then becomes
   * the name the address's later names share from.
   */
  share<T extends object>(kind: string, ep: Endpoint, transport: Transport, measurement: Measurement<T>): Promise<T>;
};

/**
 * The name whose facts of a kind the session holds (`through`), the label of the name they were measured through
 * (another process's, when they came from it), and the measurement while it is in flight.
 */
type Measured = { readonly through: Endpoint; label: string; pending: Promise<unknown> | null };
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

  /** The facts measured through `earlier` if they may stand for another name, else null. */
  const earlierFacts = async <T extends object>(earlier: Measured, { key, usable }: Measurement<T>) => {
    const held = options.held.recall(key(earlier.through)) as Promise<T> | null;
    const answer = (earlier.pending as Promise<T> | null) ?? held;
    const facts = answer === null ? null : await answer.then((f) => f, () => null);
    return facts === null || (usable && !usable(facts)) ? null : facts;
  };

  /**
   * `ep`'s facts of `kind` when no name of this process may share them: another process's measurement of the same
   * configuration (then `measured.label` becomes the name it was measured through), else `ep`'s own, published for
   * the others when this process is the one to measure. A failed or unusable measurement elsewhere is not shared.
   */
  const measureOrShareElsewhere = async <T extends object>(kind: string, ep: Endpoint, transport: Transport, answers: string,
    measurement: Measurement<T>, measured: Measured, because: string): Promise<T> => {
    const elsewhere = options.elsewhere!;
    const digest = createHash('sha256').update(answers).digest('base64url').slice(0, 22);
    const key = `tls-configuration-shared:${transport}:${kind}@${ep.address}:${ep.dialPort}#${digest}`;
    const claim = await elsewhere.claim(key, 'run');
    if ('fact' in claim) {
      const published = 'value' in claim.fact ? publishedIn<T>(claim.fact) : null;
      if (published && published.measuredThrough !== measured.label && (!measurement.usable || measurement.usable(published.facts))) {
        measured.label = published.measuredThrough;
        const sharedFrom: SharedFrom = { measuredThrough: published.measuredThrough, because };
        return { ...published.facts, sharedFrom };
      }
      return measurement.measure(); // not published again: the key is another process's
    }
    let facts: T;
    try {
      facts = await measurement.measure();
    } catch (error) {
      elsewhere.publish(recordFact(PUBLISHED_CONFIGURATION, key, { error }), 'run'); // waiters measure on their own
      throw error;
    }
    let fact: RecordedFact;
    try {
      fact = recordFact(PUBLISHED_CONFIGURATION, key, { value: { measuredThrough: measured.label, facts } satisfies Published<T> });
    } catch (error) {
      fact = recordFact(PUBLISHED_CONFIGURATION, key, { error }); // not recordable (a probe kind's codec test says so): never here
    }
    elsewhere.publish(fact, 'run');
    return facts;
  };

  return {
    async share(kind, ep, transport, measurement) {
      if (options.mode === 'per-name') return measurement.measure();
      const fingerprint = await options.fingerprint(ep, transport);
      if (!fingerprint.clear) return measurement.measure();
      const answers = fingerprint.answers.join('\n');
      const configuration = configurationOf(ep, transport, answers);
      if (!configuration) return measurement.measure();
      const label = options.label(ep);
      const because = `same address and port, and the same answers to the broadest offer at each of ${VERSIONS_TEXT} `
        + `(${fingerprint.connections} hellos for this name)`;
      const earlier = configuration.measured.get(kind);
      if (earlier && earlier.label !== label) {
        const facts = await earlierFacts(earlier, measurement);
        // The label is read after the wait: facts that came from another process name the name they were measured through.
        if (facts !== null) return { ...facts, sharedFrom: { measuredThrough: earlier.label, because } satisfies SharedFrom };
      }
      // The first name, or the earlier one's facts failed, are unusable or are gone: another process's measurement or
      // this name's own, kept for the run (the address's next name may come thousands of domains later), and the
      // address's later names share it.
      const measured: Measured = { through: ep, label, pending: null };
      const facts = options.elsewhere
        ? measureOrShareElsewhere(kind, ep, transport, answers, measurement, measured, because)
        : measurement.measure();
      measured.pending = facts;
      configuration.measured.set(kind, measured);
      options.held.keep(measurement.key(ep));
      const settled = () => { measured.pending = null; };
      facts.then(settled, settled); // a failure is this name's own result (returned below), and never shared
      return facts;
    },
  };
}

/** A published configuration's facts, or null when they cannot be read (then the name is measured on its own). */
function publishedIn<T>(fact: RecordedFact): Published<T> | null {
  try {
    const value = factValue(fact) as Partial<Published<T>> | null;
    return typeof value?.measuredThrough === 'string' && typeof value.facts === 'object' && value.facts !== null ? value as Published<T> : null;
  } catch {
    return null;
  }
}
