import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import pLimit from 'p-limit';
import { ALL_CHECKS } from '../../../checks/index.ts';
import { loadPlugins } from '../../config/plugins.ts';
import type { Check } from '../../core/check.ts';
import { createLogger } from '../../log.ts';
import { VERSION } from '../../version.ts';
import { createProbeSession, type ConnectionLimits, type FactBroker } from '../probes.ts';
import { runDomain } from '../run.ts';
import { scanSettings } from '../scan-settings.ts';
import type { ClaimAnswer, FromWorker, ToWorker, WorkerInit } from './protocol.ts';

/**
 * A worker thread: scans the domains the coordinator sends it, one probe session for all of them, and sends back one
 * record per domain. Connection slots and shared facts are asked of the coordinator (src/runner/workers/pool.ts).
 */
const port = parentPort!;
const init = workerData as WorkerInit;
const post = (message: FromWorker) => port.postMessage(message);

let nextId = 0;
const pending = new Map<number, (answer: unknown) => void>();
const ask = <T>(message: (id: number) => FromWorker): Promise<T> => new Promise<T>((resolve) => {
  const id = nextId++;
  pending.set(id, resolve as (answer: unknown) => void);
  post(message(id));
});

// Slots are the coordinator's, keyed by pool and destination, so the limit holds across every worker.
const limits: ConnectionLimits = async (pool, key, limit, work) => {
  const slot = `${pool} ${key}`;
  await ask<void>((id) => ({ t: 'acquire', id, key: slot, limit }));
  try {
    return await work();
  } finally {
    post({ t: 'release', key: slot });
  }
};
const broker: FactBroker = {
  claim: (key) => ask<ClaimAnswer>((id) => ({ t: 'claim', id, key })),
  publish: (fact, lifetime) => post({ t: 'publish', fact, lifetime }),
};

async function start(): Promise<void> {
  const { config } = init;
  const plugins = await loadPlugins(config.plugins);
  const byId = new Map<string, Check>([...ALL_CHECKS, ...plugins.checks].map((c) => [c.id, c]));
  const missing = init.checkIds.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new Error(`worker cannot load checks ${missing.join(', ')}`);
  const checks = init.checkIds.map((id) => byId.get(id)!);
  const log = createLogger(init.logLevel);
  const controller = new AbortController();
  const session = createProbeSession(config, controller.signal, log, VERSION, { limits, broker });
  const settings = scanSettings(config, () => new Date());
  const checkLimit = config.probe.checksInFlight ? pLimit(config.probe.checksInFlight) : undefined;

  port.on('message', (message: ToWorker) => {
    switch (message.t) {
      case 'job':
        void runDomain(message.job, {
          checks, scope: session.forDomain(message.job.target.domain), settings, checkTimeoutMs: config.probe.checkTimeoutMs,
          signal: controller.signal, log, ...(checkLimit ? { checkLimit } : {}),
        }).then((record) => post({ t: 'record', record }));
        break;
      case 'granted':
        pending.get(message.id)?.(undefined);
        pending.delete(message.id);
        break;
      case 'claimed':
        pending.get(message.id)?.(message.answer);
        pending.delete(message.id);
        break;
      case 'abort':
        controller.abort();
        break;
      case 'close':
        void session.close().then(() => {
          post({ t: 'closed', stats: { ...session.stats } });
          port.close();
        });
        break;
    }
  });
  post({ t: 'ready', heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20) });
}

start().catch((err: unknown) => post({ t: 'failed', message: err instanceof Error ? err.message : String(err) }));
