import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { createReportDigest, signDigest, type ReportDigest } from '../compliance/integrity.ts';
import { runFileName } from '../core/run-files.ts';
import { CSV_HEADER_ROW, csvRows } from '../../reports/csv.ts';
import { domainParts, domainTextsOf, jsonDomainLine, jsonHead, jsonTail, splitHeader } from '../../reports/json.ts';
import { textDomainBlock, textHead, textIdWidth, textTotals } from '../../reports/text.ts';
import type { ReportDomain, ReportHeader } from '../../reports/types.ts';
import { BlockFile } from './block-file.ts';

/**
 * The formats written while the scan runs (JSON, text, CSV), each from the same pieces as its writer in reports/, so
 * the file is byte for byte what the writer makes of the same run. A domain is rendered when it finishes (`render`:
 * the strings kept until its turn) and written in configured order (`emit`); `finish` writes what only the end
 * knows and renames the file into place (`vouch-<stamp>.<ext>`). Temporary files are `vouch-<stamp>.<ext>.partial`:
 * a killed run's are overwritten when it is resumed (same stamp), and retention removes them with the run.
 */
export type LiveFormat = {
  readonly format: string;
  /** How many strings `render` returns: the session keeps every format's pieces of a domain in one list. */
  readonly pieces: number;
  render(domain: ReportDomain): readonly string[];
  emit(index: number, pieces: readonly string[]): Promise<void>;
  /**
   * Writes the end, syncs and closes: `written` is the whole file, still under its temporary name, and `target` the
   * name it is published under. The session renames only once every format is whole, so a failure in one never
   * leaves another published as if the run's reports had been written.
   */
  finish(header: ReportHeader): Promise<SealedFile>;
  discard(): Promise<void>;
};

export type SealedFile = { readonly written: string; readonly target: string };

/** What every format is told at the start. */
export type LiveStart = {
  readonly dir: string;
  readonly startedAt: string;
  readonly domains: number;
  /** The header as known at the start (its end members are placeholders: only the members before "domains" are read). */
  readonly header: ReportHeader;
  readonly signingKey: KeyObject | null;
};

export const LIVE_FORMATS: Readonly<Record<string, (start: LiveStart) => Promise<LiveFormat>>> = {
  json: liveJson,
  text: liveText,
  csv: liveCsv,
};

const partialPath = (start: LiveStart, extension: string) => join(start.dir, `${runFileName(start.startedAt, extension)}.partial`);
const finalPath = (start: LiveStart, extension: string) => join(start.dir, runFileName(start.startedAt, extension));

async function seal(file: BlockFile, target: string): Promise<SealedFile> {
  await file.finish();
  return { written: file.path, target };
}

/** JSON: the start members and `"domains": [` at once, each entry line in turn (hashed as it goes), the rest at the end. */
async function liveJson(start: LiveStart): Promise<LiveFormat> {
  const { early } = splitHeader(start.header);
  const earlyText = JSON.stringify(early);
  const file = await BlockFile.create(partialPath(start, 'json'));
  const digest: ReportDigest = createReportDigest(early);
  await file.write(jsonHead(early));
  return {
    format: 'json',
    pieces: 3,
    render(domain) {
      const { domain: name, results, artifacts } = domainParts(domain);
      return [name, results, artifacts];
    },
    async emit(index, [domain, results, artifacts]) {
      const { line, canonical } = domainTextsOf({ domain: domain!, results: results!, artifacts: artifacts! });
      digest.addCanonical(canonical);
      await file.write(jsonDomainLine(line, index === start.domains - 1));
    },
    async finish(header) {
      const { early: now, late } = splitHeader(header);
      // The start members were written hours ago: the header at the end must still say the same.
      if (JSON.stringify(now) !== earlyText) throw new Error('the report header changed during the scan');
      const value = digest.finish(late);
      await file.write(jsonTail(late, start.signingKey === null ? { digest: value } : { digest: value, signature: signDigest(value, start.signingKey) }));
      return seal(file, finalPath(start, 'json'));
    },
    discard: () => file.discard(),
  };
}

/** Text: the domain blocks into a body file; at the end, the head (title, times, promises), the body, the totals. */
async function liveText(start: LiveStart): Promise<LiveFormat> {
  const idWidth = textIdWidth(start.header);
  const body = await BlockFile.create(partialPath(start, 'txt-body'));
  let whole: BlockFile | null = null;
  return {
    format: 'text',
    pieces: 1,
    render: (domain) => [textDomainBlock(domain, idWidth)],
    emit: (_index, [block]) => body.write(block!),
    async finish(header) {
      await body.finish();
      whole = await BlockFile.create(partialPath(start, 'txt'));
      await whole.write(textHead(header));
      // The body's bytes as they are, read with back-pressure (a 100,000-domain body is hundreds of MB).
      for await (const chunk of createReadStream(body.path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) await whole.writeBytes(chunk);
      await whole.write(textTotals(header));
      const sealed = await seal(whole, finalPath(start, 'txt'));
      await rm(body.path, { force: true });
      return sealed;
    },
    async discard() {
      await body.discard();
      await whole?.discard();
    },
  };
}

/** CSV: the header row at once, each domain's rows in turn; nothing depends on the end. */
async function liveCsv(start: LiveStart): Promise<LiveFormat> {
  const file = await BlockFile.create(partialPath(start, 'csv'));
  await file.write(CSV_HEADER_ROW);
  return {
    format: 'csv',
    pieces: 1,
    render: (domain) => [csvRows(domain)],
    emit: (_index, [rows]) => file.write(rows!),
    finish: () => seal(file, finalPath(start, 'csv')),
    discard: () => file.discard(),
  };
}
