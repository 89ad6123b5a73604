import type { DomainRecord } from '../core/domain-record.ts';
import type { Target } from '../core/types.ts';

/** One domain to scan: its place in the configured list (reports keep that order) and its target. */
export type DomainJob = { readonly index: number; readonly target: Target };

export type PipelineOptions = {
  /** Domains in flight at most: the scan's memory grows with this window, never with the number of domains. */
  readonly window: number;
  /** Scans one domain (in this thread or a worker). Must not throw: a domain's failures are its results. */
  readonly run: (job: DomainJob) => Promise<DomainRecord>;
  /**
   * Receives each record as its domain finishes (completion order), one at a time: the next is handed over only
   * when this one's promise settles, and no new domain starts while it is pending, so a slow journal holds the
   * scan back instead of letting finished records pile up in memory.
   */
  readonly onRecord: (record: DomainRecord) => Promise<void> | void;
  /** Once aborted, no further domain starts; those in flight finish (interrupted) and are still handed over. */
  readonly signal: AbortSignal;
};

/**
 * Streams `jobs` (read lazily, so a list of 100,000 domains is never expanded into tasks) through a bounded window.
 * Resolves when every started domain has been handed to `onRecord`; rejects only when `onRecord` fails (a journal
 * that cannot be written), after the domains in flight have finished.
 */
export async function runPipeline(jobs: Iterable<DomainJob>, options: PipelineOptions): Promise<void> {
  const source = jobs[Symbol.iterator]();
  let inFlight = 0;
  let handing: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | null = null;
  let exhausted = false;

  return new Promise<void>((resolve, reject) => {
    const settleIfDone = () => {
      if (inFlight > 0 || !(exhausted || options.signal.aborted || failure)) return;
      void handing.then(() => (failure ? reject(failure.error) : resolve()));
    };
    const startMore = () => {
      while (!exhausted && !failure && !options.signal.aborted && inFlight < options.window) {
        const next = source.next();
        if (next.done) { exhausted = true; break; }
        inFlight++;
        void options.run(next.value).then((record) => {
          handing = handing.then(async () => {
            if (failure) return;
            try {
              await options.onRecord(record);
            } catch (error) {
              failure = { error };
            }
          });
          return handing;
        }, (error: unknown) => {
          // `run` must not throw; if it does, that is Vouch's bug, and the scan stops rather than lose a domain.
          failure ??= { error };
        }).finally(() => {
          inFlight--;
          startMore();
          settleIfDone();
        });
      }
      settleIfDone();
    };
    startMore();
  });
}
