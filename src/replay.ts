import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import { defaultTarget } from './config/defaults.ts';
import type { Check } from './core/check.ts';
import type { DomainRecord } from './core/domain-record.ts';
import type { Json } from './core/types.ts';
import { runPipeline, type DomainJob } from './runner/pipeline.ts';
import type { DomainProbeScope } from './runner/probes.ts';
import { createReplayProbes } from './runner/replay-probes.ts';
import { runDomain } from './runner/run.ts';
import { scanSettings } from './runner/scan-settings.ts';
import { createJournal, journalFileName, readJournal, type JournalHeader, type JournalReader } from './runner/journal.ts';
import type { ScanRun } from './scan.ts';
import { VERSION } from './version.ts';

export type ReplayOptions = {
  /** The recorded scan. */
  readonly journalPath: string;
  /** The configuration to judge by now: thresholds, waivers, promises, TLS policy, and each domain's options. */
  readonly config: Config;
  readonly checks: readonly Check[];
  readonly log: Logger;
  /** Where the replay's own journal goes (it is a run of its own); default a temporary directory. */
  readonly journalDir?: string | null;
  readonly signal?: AbortSignal;
};

/**
 * Re-judges a recorded scan offline: every check runs again, with the current configuration, on the probe facts the
 * scan recorded, and at the time each domain was scanned (so certificate lifetimes and expiries read as they did).
 * No socket is opened: a fact the current checks ask for that was not recorded makes that check `error`
 * (client-limitation), never a guess. The replay writes a journal of its own, so its reports are written and sealed
 * exactly as a scan's.
 */
export async function replayJournal(options: ReplayOptions): Promise<ScanRun> {
  const { config, checks, log } = options;
  const signal = options.signal ?? new AbortController().signal;
  const source = await readJournal(options.journalPath);
  try {
    const recorded = source.header;
    const byDomain = new Map(config.targets.map((t) => [t.domain, t]));
    let temporaryDir: string | null = null;
    const dir = options.journalDir ?? (temporaryDir = await mkdtemp(join(tmpdir(), 'vouch-replay-')));
    const startedAt = new Date().toISOString();
    const header: JournalHeader = {
      runId: randomUUID(), startedAt, tool: { name: 'vouch', version: VERSION }, config: { source: config.source, digest: config.digest },
      checks: checks.map((c) => c.id), domains: recorded.domains, domainsDigest: recorded.domainsDigest,
      settings: { ...(recorded.settings as Record<string, Json>), replayOf: { runId: recorded.runId, startedAt: recorded.startedAt, tool: recorded.tool, journal: options.journalPath } },
    };
    const journal = await createJournal(join(dir, journalFileName(startedAt)), header);
    log.info({ journal: options.journalPath, runId: recorded.runId, domains: source.domainsDone }, 'replay started');
    try {
      await runPipeline(completeRecords(source), {
        window: 16, signal,
        onRecord: (record) => journal.append(record),
        run: async (job) => {
          const record = (await source.record(job.index))!;
          const target = byDomain.get(record.domain) ?? defaultTarget(record.domain);
          const scannedAt = new Date(record.startedAt);
          return runDomain({ index: job.index, target }, {
            checks, scope: replayScope(record), settings: scanSettings(config, () => scannedAt),
            checkTimeoutMs: config.probe.checkTimeoutMs, signal, log,
          });
        },
      });
    } catch (err) {
      await journal.abandon().catch(() => undefined);
      throw err;
    }
    const status = signal.aborted ? 'interrupted' : 'complete';
    const finishedAt = new Date().toISOString();
    await journal.close({ status, finishedAt });
    log.info({ status, runId: header.runId }, 'replay finished');
    return {
      journalPath: journal.path, temporaryDir, header, status, finishedAt, resumed: [], workers: 1, stats: {}, peakConnectionsPerDestination: 0,
      release: async () => undefined,
    };
  } finally {
    await source.close();
  }
}

/** Jobs for the recorded domains that finished; the target is looked up when the record is read. */
function* completeRecords(source: JournalReader): Generator<DomainJob> {
  for (let index = 0; index < source.header.domains; index++) {
    if (source.state(index) === 'complete') yield { index, target: defaultTarget(`#${index}`) };
  }
}

/** A domain's probes answered from its record; the artifacts kept are those the replayed checks cite. */
function replayScope(record: DomainRecord): DomainProbeScope {
  const asked = new Set<string>();
  return {
    probesFor: (track) => createReplayProbes(record.facts, (key, answer) => { asked.add(key); track(key, answer); }),
    finish: () => ({
      artifacts: Object.fromEntries(Object.entries(record.artifacts).filter(([key]) => asked.has(key))),
      facts: record.facts.filter((f) => asked.has(f.key)),
    }),
  };
}
