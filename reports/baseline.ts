import { open, readFile, type FileHandle } from 'node:fs/promises';
import { NotInLayout, readLayout } from './json-file.ts';
import { groupLegacyReport } from './legacy.ts';
import type { ReportDomain, ReportResult } from './types.ts';

/**
 * An earlier report, read a domain at a time: what `since` and `vouch diff` compare against. For a schema-2 file in
 * the JSON writer's layout only the byte position of each domain's line is kept in memory; a domain is read back
 * when asked for.
 */
export type Baseline = {
  readonly runId: string;
  readonly startedAt: string;
  readonly schemaVersion: number;
  readonly status: string;
  /** The domain's results as that report has them; null when it has no entry for the domain. */
  resultsOf(domain: string): Promise<readonly ReportResult[] | null>;
  /** Every domain entry in the report's order (schema 1: grouped from its flat results). */
  domains(): AsyncIterable<ReportDomain>;
  /** The domains' names in the same order, without reading their entries. */
  domainNames(): Iterable<string>;
  close(): Promise<void>;
};

/** A file that is not a Vouch report, said in a sentence for the CLI. */
export class NotAReport extends Error {}

type Header = { readonly runId: string; readonly startedAt: string; readonly schemaVersion: number; readonly status: string };

function headerOf(value: Record<string, unknown>): Header {
  const { runId, startedAt, schemaVersion, status } = value;
  if (typeof runId !== 'string' || typeof startedAt !== 'string' || typeof schemaVersion !== 'number' || typeof status !== 'string') {
    throw new NotAReport('not a Vouch report (no runId, startedAt, schemaVersion or status)');
  }
  return { runId, startedAt, schemaVersion, status };
}

/** A domain entry's name, read from the line's start (`{"domain":"...",` as the writer puts it) or, failing that, parsed. */
function domainOfLine(bytes: Buffer): string {
  const PREFIX = '{"domain":"';
  if (bytes.toString('latin1', 0, PREFIX.length) === PREFIX) {
    let end = PREFIX.length;
    while (end < bytes.length && bytes[end] !== 0x22) end += bytes[end] === 0x5c ? 2 : 1;
    try {
      return JSON.parse(bytes.toString('utf8', PREFIX.length - 1, end + 1)) as string;
    } catch {
      // not the writer's own line: parse it whole below
    }
  }
  try {
    return entryOf(JSON.parse(bytes.toString('utf8'))).domain;
  } catch (err) {
    if (err instanceof SyntaxError) throw new NotInLayout('a domain line does not parse'); // read whole, and said there
    throw err;
  }
}

/** A parsed domain entry, checked for the two fields everything reading it relies on. */
function entryOf(value: unknown): ReportDomain {
  const entry = value as Partial<ReportDomain> | null;
  if (entry === null || typeof entry !== 'object' || typeof entry.domain !== 'string' || !Array.isArray(entry.results)) {
    throw new NotAReport('a domain entry has no domain name or no results');
  }
  return { domain: entry.domain, results: entry.results, artifacts: entry.artifacts ?? {} };
}

/** One pass over a file in the writer's layout: the header and where each domain's line is. First entry of a name wins. */
async function indexFile(path: string): Promise<{ header: Header; lines: Map<string, { offset: number; length: number }> } | null> {
  const lines = new Map<string, { offset: number; length: number }>();
  let early: Record<string, unknown> | null = null;
  for await (const part of readLayout(path)) {
    if (part.kind === 'header') {
      if (part.value['schemaVersion'] !== 2) return null;
      early = part.value;
    } else if (part.kind === 'domain') {
      const domain = domainOfLine(part.bytes);
      if (!lines.has(domain)) lines.set(domain, { offset: part.offset, length: part.bytes.length });
    } else if (early) {
      // `status` is written after the domains (known only at the end of the scan); older files have it before them.
      return { header: headerOf({ ...early, ...part.value }), lines };
    }
  }
  return null;
}

function indexedBaseline(header: Header, lines: Map<string, { offset: number; length: number }>, file: FileHandle): Baseline {
  const read = async (at: { offset: number; length: number }): Promise<ReportDomain> => {
    const buffer = Buffer.allocUnsafe(at.length);
    const { bytesRead } = await file.read(buffer, 0, at.length, at.offset);
    if (bytesRead !== at.length) throw new NotAReport('the report changed while it was read');
    try {
      return entryOf(JSON.parse(buffer.toString('utf8')));
    } catch (err) {
      // The index pass reads only each line's name: a damaged line shows when it is read back.
      if (err instanceof SyntaxError) throw new NotAReport(`the entry at byte ${at.offset} is not JSON: ${err.message}`);
      throw err;
    }
  };
  return {
    ...header,
    async resultsOf(domain) {
      const at = lines.get(domain);
      return at ? (await read(at)).results : null;
    },
    async *domains() {
      for (const at of lines.values()) yield await read(at);
    },
    domainNames: () => lines.keys(),
    close: () => file.close(),
  };
}

/** A report held in memory, grouped by domain: schema 1, or a schema-2 file in another layout. */
export function baselineOfEntries(header: Header, entries: readonly ReportDomain[]): Baseline {
  const byDomain = new Map<string, ReportDomain>();
  for (const entry of entries) if (!byDomain.has(entry.domain)) byDomain.set(entry.domain, entry);
  return {
    ...header,
    resultsOf: async (domain) => byDomain.get(domain)?.results ?? null,
    async *domains() {
      yield* byDomain.values();
    },
    domainNames: () => byDomain.keys(),
    close: async () => undefined,
  };
}

/**
 * Opens a JSON report as a Baseline. Schema 2 in the writer's layout: one pass to index it, then reads by position.
 * Schema 1, or schema 2 in another layout: parsed whole and grouped per domain (schema 1 reports never grew past
 * what one string holds). Throws NotAReport for a file that is not a Vouch report, and fs errors as they are.
 */
export async function openBaseline(path: string): Promise<Baseline> {
  let indexed;
  try {
    indexed = await indexFile(path);
  } catch (err) {
    if (!(err instanceof NotInLayout)) throw err;
    indexed = null;
  }
  if (indexed) {
    const file = await open(path, 'r');
    return indexedBaseline(indexed.header, indexed.lines, file);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) throw new NotAReport(`not JSON: ${err.message}`);
    throw err;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new NotAReport('not a Vouch report: expected a JSON object');
  const report = parsed as Record<string, unknown>;
  const header = headerOf(report);
  if (header.schemaVersion === 1) {
    const entries = groupLegacyReport(report);
    if (!entries) throw new NotAReport('not a Vouch report: schema 1 without results');
    return baselineOfEntries(header, entries);
  }
  if (header.schemaVersion !== 2 || !Array.isArray(report['domains'])) throw new NotAReport('not a Vouch report of schema 1 or 2');
  return baselineOfEntries(header, (report['domains'] as unknown[]).map(entryOf));
}
