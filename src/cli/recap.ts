import type { ReportDomain, ReportResult, ReportStream } from '../../reports/types.ts';
import { printable } from './io.ts';

/** Lines the recap lists; past this it counts ("... and 1,234 more"): the report holds them all. */
export const RECAP_LIMIT = 50;

/** The statuses a recap lists: failures and errors, and warnings when they set the exit code (`--fail-on warn`). */
export type RecapStatus = 'fail' | 'error' | 'warn';

type Entry = { readonly order: number; readonly position: number; readonly status: RecapStatus; readonly domain: string; readonly checkId: string; readonly reason: string };

const LABEL: Readonly<Record<RecapStatus, string>> = { fail: 'FAIL', error: 'ERROR', warn: 'WARN' };
const NOUN: Readonly<Record<RecapStatus, readonly [one: string, many: string]>> = {
  fail: ['failure', 'failures'], error: ['error', 'errors'], warn: ['warning', 'warnings'],
};

/**
 * What the operator reads after the results: only what needs action, in configured domain order whatever order the
 * domains finished in. Memory is bounded: the first `limit` entries by (domain order, result position) are kept,
 * the rest counted, in O(n log limit) time over n results.
 */
export class Recap {
  readonly #orderOf: (domain: string) => number;
  readonly #statuses: readonly RecapStatus[];
  readonly #limit: number;
  #kept: Entry[] = [];
  readonly #counts: Record<RecapStatus, number> = { fail: 0, error: 0, warn: 0 };

  constructor(options: { readonly orderOf: (domain: string) => number; readonly statuses: readonly RecapStatus[]; readonly limit?: number }) {
    this.#orderOf = options.orderOf;
    this.#statuses = options.statuses;
    this.#limit = options.limit ?? RECAP_LIMIT;
  }

  add(domain: ReportDomain): void {
    const order = this.#orderOf(domain.domain);
    domain.results.forEach((result, position) => {
      const status = result.status as RecapStatus;
      if (!this.#statuses.includes(status)) return;
      this.#counts[status]++;
      this.#kept.push({ order, position, status, domain: domain.domain, checkId: result.checkId, reason: reasonOf(result) });
      // Sorting at twice the limit keeps the work per result logarithmic on average.
      if (this.#kept.length >= 2 * this.#limit) this.#trim();
    });
  }

  /** A consumer of a report's domains (one pass), for runs whose report is written from the journal. */
  consume = async (stream: ReportStream): Promise<void> => {
    for await (const domain of stream.domains()) this.add(domain);
  };

  /** The recap as text lines: a heading with the counts, then one line per entry (status, domain, check, reason). */
  text(): string {
    this.#trim();
    const total = this.#statuses.reduce((sum, s) => sum + this.#counts[s], 0);
    if (total === 0) return `Recap: no ${this.#statuses.map((s) => NOUN[s][1]).join(', no ')}\n`;
    const counts = this.#statuses.filter((s) => this.#counts[s] > 0)
      .map((s) => `${this.#counts[s]} ${NOUN[s][this.#counts[s] === 1 ? 0 : 1]}${s === 'error' ? ' (could not test)' : ''}`);
    const domainWidth = Math.max(...this.#kept.map((e) => e.domain.length));
    const checkWidth = Math.max(...this.#kept.map((e) => e.checkId.length));
    const lines = this.#kept.map((e) => `  ${LABEL[e.status].padEnd(6)}  ${e.domain.padEnd(domainWidth)}  ${e.checkId.padEnd(checkWidth)}  ${e.reason}`);
    const left = total - this.#kept.length;
    const more = left > 0 ? [`  ... and ${left} more (see the report)`] : [];
    return [`Recap: ${counts.join(', ')}`, ...lines, ...more].map((l) => `${l}\n`).join('');
  }

  #trim(): void {
    this.#kept.sort((a, b) => a.order - b.order || a.position - b.position);
    if (this.#kept.length > this.#limit) this.#kept.length = this.#limit;
  }
}

/** Why: an error's cause and summary, a finding's summary; one line, no control characters, at most 160 characters. */
function reasonOf(result: ReportResult): string {
  const text = printable(result.status === 'error' ? `${result.reason}: ${result.summary}` : result.summary).replace(/\s+/g, ' ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
