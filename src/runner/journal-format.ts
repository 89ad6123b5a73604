import type { DomainRecord } from '../core/domain-record.ts';
import type { Json } from '../core/types.ts';

/**
 * The run journal's line format (issue 11), version 1: one JSON object per line, written with JSON.stringify (which
 * escapes every newline inside a string, so a line break only ever ends a line).
 *   {"type":"run","journal":1,...JournalHeader}   the first line, written before any domain
 *   {"type":"domain","index":..,"complete":..,...} one finished (or interrupted) domain, in finishing order
 *   {"type":"resume","at":..,"domainsDone":..}    appended each time the run is resumed
 *   {"type":"end","status":..,"finishedAt":..}    the run's end (a resume after it starts the run again)
 * A journal is its longest prefix of whole, valid lines: a line cut by kill -9 or a full disk ends it.
 */
export const JOURNAL_FORMAT = 1;

/** Larger domain counts are refused: the reader's index is three typed arrays of this length (13 bytes a domain). */
export const MAX_JOURNAL_DOMAINS = 10_000_000;

/**
 * The longest line (newline excluded) a journal holds: the writer refuses a longer record and a reader takes one as
 * damage. No domain's record comes near it (bodies and transcripts are capped); it bounds the reader's memory.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** What a run's first line says about it: everything a resume must match and a replay needs. */
export type JournalHeader = {
  readonly runId: string;
  readonly startedAt: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly config: { readonly source: string | null; readonly digest: string };
  /** Check ids in check order: each record's results are in this order. */
  readonly checks: readonly string[];
  /** How many domains are configured; records are indexed 0..domains-1. */
  readonly domains: number;
  /** `sha256:<hex>` of the configured domain list, in order. */
  readonly domainsDigest: string;
  /** Whatever else replay needs (resolvers, thresholds...): opaque to the journal. */
  readonly settings: Json;
};

export type JournalResume = { readonly at: string; readonly domainsDone: number };
export type JournalEnd = { readonly status: 'complete' | 'interrupted'; readonly finishedAt: string };

/** What one line is, as far as indexing a journal needs. */
export type JournalLine =
  | { readonly kind: 'run'; readonly header: JournalHeader }
  | { readonly kind: 'newer-format'; readonly format: number }
  | { readonly kind: 'domain'; readonly index: number; readonly complete: boolean }
  | { readonly kind: 'resume'; readonly resume: JournalResume }
  | { readonly kind: 'end'; readonly end: JournalEnd }
  /** A well-formed line of a type this version does not write: skipped, so later versions can add kinds. */
  | { readonly kind: 'other' }
  | { readonly kind: 'invalid'; readonly why: string };

export function headerLine(header: JournalHeader): string {
  return `${JSON.stringify({ type: 'run', journal: JOURNAL_FORMAT, ...header })}\n`;
}

/**
 * `index` and `complete` come first , so the reader can index a journal of
 * multi-megabyte lines from each line's first bytes instead of parsing every record (see parseJournalLine).
 */
export function domainLine(record: DomainRecord): string {
  const { index, complete, ...rest } = record;
  return `${JSON.stringify({ type: 'domain', index, complete, ...rest })}\n`;
}

export function resumeLine(resume: JournalResume): string {
  return `${JSON.stringify({ type: 'resume', at: resume.at, domainsDone: resume.domainsDone })}\n`;
}

export function endLine(end: JournalEnd): string {
  return `${JSON.stringify({ type: 'end', status: end.status, finishedAt: end.finishedAt })}\n`;
}

const DOMAIN_HEAD = Buffer.from('{"type":"domain","index":');
const COMPLETE_TRUE = Buffer.from(',"complete":true,');
const COMPLETE_FALSE = Buffer.from(',"complete":false,');
const DIGIT_0 = 0x30;
const CLOSING_BRACE = 0x7d;

/**
 * What a line (without its newline) is. Total: any bytes give an answer. With `verifyRecords` false, a domain line
 * in the form domainLine writes is judged by its head and its closing brace alone (linear in nothing but the head);
 * a line cut or damaged in its middle is then only found when the record is read. With true, every line is parsed.
 */
export function parseJournalLine(bytes: Buffer, verifyRecords: boolean): JournalLine {
  if (!verifyRecords) {
    const head = domainHead(bytes);
    if (head) return head;
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { kind: 'invalid', why: 'not JSON' };
  }
  if (!isObject(value)) return { kind: 'invalid', why: 'not a JSON object' };
  switch (value['type']) {
    case 'run': return runLine(value);
    case 'domain': {
      const problem = domainRecordProblem(value);
      return problem ? { kind: 'invalid', why: problem } : { kind: 'domain', index: value['index'] as number, complete: value['complete'] as boolean };
    }
    case 'resume':
      return isText(value['at']) && isCount(value['domainsDone'])
        ? { kind: 'resume', resume: { at: value['at'], domainsDone: value['domainsDone'] } }
        : { kind: 'invalid', why: 'a resume line without its time or count' };
    case 'end':
      return (value['status'] === 'complete' || value['status'] === 'interrupted') && isText(value['finishedAt'])
        ? { kind: 'end', end: { status: value['status'], finishedAt: value['finishedAt'] } }
        : { kind: 'invalid', why: 'an end line without its status or time' };
    default:
      return typeof value['type'] === 'string' ? { kind: 'other' } : { kind: 'invalid', why: 'a line without a type' };
  }
}

/** The index and completeness of a line in domainLine's form, or null when it is not in that form. */
function domainHead(bytes: Buffer): JournalLine | null {
  if (bytes.length < DOMAIN_HEAD.length + 2 || bytes[bytes.length - 1] !== CLOSING_BRACE) return null;
  if (!hasAt(bytes, DOMAIN_HEAD, 0)) return null;
  let at = DOMAIN_HEAD.length;
  let index = 0;
  const firstDigit = at;
  // At most 8 digits: MAX_JOURNAL_DOMAINS has 8, and a leading zero is only allowed alone (JSON's own rule).
  while (at < bytes.length && at - firstDigit < 9 && bytes[at]! >= DIGIT_0 && bytes[at]! <= DIGIT_0 + 9) index = index * 10 + (bytes[at++]! - DIGIT_0);
  const digits = at - firstDigit;
  if (digits === 0 || digits > 8 || (digits > 1 && bytes[firstDigit] === DIGIT_0)) return null;
  for (const [marker, complete] of [[COMPLETE_TRUE, true], [COMPLETE_FALSE, false]] as const) {
    if (hasAt(bytes, marker, at)) return { kind: 'domain', index, complete };
  }
  return null;
}

function hasAt(bytes: Buffer, marker: Buffer, at: number): boolean {
  return at + marker.length <= bytes.length && bytes.compare(marker, 0, marker.length, at, at + marker.length) === 0;
}

function runLine(value: Record<string, unknown>): JournalLine {
  const format = value['journal'];
  if (typeof format === 'number' && Number.isInteger(format) && format > JOURNAL_FORMAT) return { kind: 'newer-format', format };
  if (format !== JOURNAL_FORMAT) return { kind: 'invalid', why: `a run line of journal format ${JSON.stringify(format)}` };
  const { tool, config, checks, domains } = value;
  const valid = isText(value['runId']) && isText(value['startedAt'])
    && isObject(tool) && isText(tool['name']) && isText(tool['version'])
    && isObject(config) && (config['source'] === null || isText(config['source'])) && isText(config['digest'])
    && Array.isArray(checks) && checks.every(isText)
    && isCount(domains) && domains <= MAX_JOURNAL_DOMAINS && isText(value['domainsDigest']) && 'settings' in value;
  if (!valid) return { kind: 'invalid', why: 'a run line with missing or malformed fields' };
  const header: JournalHeader = {
    runId: value['runId'] as string, startedAt: value['startedAt'] as string,
    tool: { name: tool['name'] as string, version: tool['version'] as string },
    config: { source: config['source'] as string | null, digest: config['digest'] as string },
    checks: checks as string[], domains, domainsDigest: value['domainsDigest'] as string, settings: value['settings'] as Json,
  };
  return { kind: 'run', header };
}

/** Why a parsed domain line is not a DomainRecord (with `type`), or null when it is one. */
export function domainRecordProblem(value: Record<string, unknown>): string | null {
  if (value['type'] !== 'domain') return 'not a domain line';
  if (!isCount(value['index'])) return 'a domain line without a valid index';
  if (typeof value['complete'] !== 'boolean') return 'a domain line without `complete`';
  const fields = isText(value['domain']) && isText(value['startedAt']) && isText(value['finishedAt'])
    && Array.isArray(value['results']) && isObject(value['artifacts']) && Array.isArray(value['facts']);
  return fields ? null : 'a domain line with missing or malformed fields';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function isText(value: unknown): value is string {
  return typeof value === 'string';
}
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
