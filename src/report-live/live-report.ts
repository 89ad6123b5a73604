import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DomainRecord } from '../core/domain-record.ts';
import { signingKey } from '../compliance/integrity.ts';
import { runFileName } from '../core/run-files.ts';
import type { JournalHeader } from '../runner/journal-format.ts';
import { createDomainJudge, notScanned, type JudgeContext, type RunEnd } from '../runner/report-judge.ts';
import type { ReportDomain, ReportHeader } from '../../reports/types.ts';
import { LIVE_FORMATS, type LiveFormat, type SealedFile } from './live-formats.ts';
import { ReorderBuffer } from './reorder.ts';

/** Formats that can be written while the scan runs; the others (HTML, JUnit, Prometheus) are written from the journal after it. */
export const LIVE_FORMAT_NAMES: readonly string[] = Object.keys(LIVE_FORMATS);

/**
 * Domains finished before their turn are kept in memory up to this many bytes, then spilled to disk. Measured in the
 * bench (window 64): domains waiting on the first ones' shared measurements held 300 entries, 40 M characters,
 * which as strings, with V8's headroom for them, raised peak RSS by ~180 MB at 64 Mi; spilling is cheap (the page cache).
 */
export const REORDER_BUDGET_BYTES = 16 * 1024 * 1024;

export type LiveReportOptions = JudgeContext & {
  /** The run as its journal header says (its start: runId, startedAt, the file stamp). */
  readonly run: JournalHeader;
  readonly dir: string;
  /** Live formats to write and publish as `vouch-<stamp>.<ext>`. */
  readonly formats: readonly string[];
  /** Also write the text report, unpublished, when `formats` lacks it (the summary on stdout is copied from it). */
  readonly alsoText?: boolean;
  /** Resume: the domains an earlier process finished (`isDone`), and any record it left (`recordOf`, complete or not). */
  readonly earlier?: { isDone(index: number): boolean; recordOf(index: number): Promise<DomainRecord | null> };
  /** Every judged domain, in the order domains finish (a fold that does not care about order: the change summary). */
  readonly onDomain?: (domain: ReportDomain) => Promise<void> | void;
  /** Default: REORDER_BUDGET_BYTES. */
  readonly reorderBudgetBytes?: number;
};

/** What a finished session leaves: the header it folded and the files it wrote, or why it could not write them. */
export type LiveOutcome = {
  readonly header: ReportHeader;
  /** Final path per format (the text report for stdout only, when asked for: its temporary path, to be removed). */
  readonly files: Readonly<Record<string, string>>;
  /** Set when writing failed (the directory removed, a full disk): `files` is empty and no temporary file is left. */
  readonly failure: unknown;
};

export type LiveReport = {
  /**
   * Judges a finished domain at once and writes what is its turn; awaits the disk, so a slow disk paces the scan.
   * One call at a time (the pipeline hands records over in turn): the spill file and the report files are appended
   * without locks.
   */
  add(record: DomainRecord): Promise<void>;
  /** Writes every domain not yet written (not scanned, or from the earlier process), the ends, and publishes. */
  finish(end: RunEnd): Promise<LiveOutcome>;
  /** Removes every temporary file (the scan failed). */
  abandon(): Promise<void>;
};

/**
 * The reports written DURING the scan (issue 11: "the report is written in under 30 s after the last check"): each
 * domain is judged and rendered when it finishes, and the header's folds (summary, promise roll-up, waiver states)
 * are sums, so finishing order does not matter; the files are written in configured order through a reorder buffer
 * (src/report-live/reorder.ts). A write failure does not stop the scan (the journal is the record): the session
 * stops writing, keeps folding, and `finish` says so, for the caller to write the reports from the journal elsewhere.
 */
export async function createLiveReport(options: LiveReportOptions): Promise<LiveReport> {
  const { run, dir } = options;
  const total = run.domains;
  const judge = createDomainJudge(run, options);
  const key = options.config.compliance.signingKeyPem ? signingKey(options.config.compliance.signingKeyPem) : null;
  const names = [...options.formats.filter((f) => LIVE_FORMATS[f]), ...(options.alsoText && !options.formats.includes('text') ? ['text'] : [])];
  const start = { dir, startedAt: run.startedAt, domains: total, header: judge.header({ status: 'complete', finishedAt: run.startedAt, resumed: [] }), signingKey: key };
  const formats: LiveFormat[] = [];
  const reorder = new ReorderBuffer(join(dir, `${runFileName(run.startedAt, 'reorder')}.partial`), total, options.reorderBudgetBytes ?? REORDER_BUDGET_BYTES);
  let failure: { error: unknown } | null = null;
  let cursor = 0;
  /** Domains this process judged from add(): after a write failure their texts are gone, but they are folded. */
  const added = new Uint8Array(total);

  const discardAll = async () => {
    await Promise.all(formats.map((f) => f.discard()));
    await reorder.close().catch(() => undefined);
  };
  try {
    for (const name of names) formats.push(await LIVE_FORMATS[name]!(start));
  } catch (error) {
    await discardAll();
    throw error;
  }

  const render = (domain: ReportDomain) => formats.flatMap((f) => f.render(domain));
  const emit = async (index: number, pieces: readonly string[]) => {
    let at = 0;
    for (const f of formats) {
      await f.emit(index, pieces.slice(at, at + f.pieces));
      at += f.pieces;
    }
  };
  const judged = async (record: DomainRecord) => {
    const domain = await judge.judge(record);
    await options.onDomain?.(domain);
    return domain;
  };
  /** Writes from the cursor on while the next domain is at hand (buffered, or finished by an earlier process). */
  const advance = async () => {
    while (cursor < total) {
      const held = await reorder.take(cursor);
      if (held) await emit(cursor, held);
      else if (options.earlier?.isDone(cursor)) await emit(cursor, render(await judged((await options.earlier.recordOf(cursor))!)));
      else return;
      cursor++;
    }
  };
  /** Stops writing for good; the folds go on (the header is still wanted). */
  const fail = async (error: unknown) => {
    failure ??= { error };
    await discardAll();
  };

  return {
    async add(record) {
      const domain = await judged(record);
      added[record.index] = 1;
      if (failure) return;
      try {
        // After a resume the cursor may stand on domains an earlier process finished (domain 0, typically): move it
        // past them first, or every domain of this process would wait in the reorder buffer until the end.
        if (record.index !== cursor) await advance();
        if (record.index === cursor) {
          await emit(cursor++, render(domain));
          await advance();
        } else {
          await reorder.put(record.index, render(domain));
        }
      } catch (error) {
        await fail(error);
      }
    },
    async finish(end) {
      // Not written yet: domains never started (the scan was interrupted), and earlier records behind them.
      for (; cursor < total; cursor++) {
        if (added[cursor]) {
          const held = failure ? null : await reorder.take(cursor).catch(async (error: unknown) => { await fail(error); return null; });
          if (held) await emit(cursor, held).catch(fail);
          continue;
        }
        const record = (await options.earlier?.recordOf(cursor)) ?? notScanned(cursor, end.status, run, options);
        const domain = await judged(record);
        if (!failure) await emit(cursor, render(domain)).catch(fail);
      }
      const header = judge.header(end);
      const files: Record<string, string> = {};
      if (!failure) {
        const published: string[] = [];
        try {
          const sealed: { format: string; file: SealedFile }[] = [];
          for (const f of formats) sealed.push({ format: f.format, file: await f.finish(header) });
          await reorder.close();
          // Every file is whole: only now do they take their names (the text kept only for stdout keeps its own).
          for (const { format, file } of sealed) {
            if (!options.formats.includes(format)) { files[format] = file.written; continue; }
            await rename(file.written, file.target);
            published.push((files[format] = file.target));
          }
        } catch (error) {
          await Promise.all(published.map((path) => rm(path, { force: true }).catch(() => undefined)));
          await fail(error);
        }
      }
      return { header, files: failure ? {} : files, failure: failure?.error ?? null };
    },
    abandon: discardAll,
  };
}
