import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startLabRedis, type LabRedis, type LabRedisOptions } from '../../src/lab/redis-server.ts';

/**
 * A queued scan's fleet for the fault tests and the queue benchmark (issue 12): a lab redis-server on loopback and N
 * `vouch worker` processes of the built CLI, each under a tiny supervisor that starts it again when it dies, as
 * systemd's `Restart=always` does on a real fleet (the test of a domain that keeps crashing its worker needs it: a
 * crashed worker must come back, or the run waits forever on a fleet of none). Every process's stderr (the JSON
 * log) is kept for assertions. `close()` kills everything; call it from afterAll (or hand it to cleanupAfterAll).
 */
export const VOUCH_BIN = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;

export type WorkerOptions = {
  /** Domains at once per worker (`--concurrency`). */
  readonly concurrency?: number;
  /** BullMQ lock duration (`--lease-ms`): how soon a killed worker's jobs are given to another. */
  readonly leaseMs?: number;
  readonly logLevel?: string;
  /** Start the worker again when it exits without being asked to (systemd Restart=always). Default true. */
  readonly restart?: boolean;
  readonly env?: Readonly<Record<string, string>>;
  readonly extraArgs?: readonly string[];
};

export type SupervisedWorker = {
  /** The running process's pid, or null between a death and its restart (or after stop). */
  pid(): number | null;
  /** How many times the supervisor has started it again. */
  restarts(): number;
  /** Every incarnation's stderr, in order (JSON log lines). */
  log(): string;
  /** Sends `signal` to the current process and waits for it to exit (the supervisor may then restart it). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it for good: no restart; SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
};

export type QueueFleet = {
  readonly redis: LabRedis;
  /** The `--queue` URL of the lab Redis. */
  readonly url: string;
  readonly workers: SupervisedWorker[];
  /** Starts one more supervised worker against the same Redis (its index is its place in `workers`). */
  addWorker(options?: WorkerOptions): SupervisedWorker;
  kill(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Stops every worker for good (Redis keeps running). */
  stopWorkers(): Promise<void>;
  /** Stops every worker and removes the Redis server and its directory. */
  close(): Promise<void>;
};

/** Waits between a death and the restart: systemd's RestartSec is 100 ms by default. */
const RESTART_DELAY_MS = 100;

/** Every worker process alive, killed if the test process exits without closing its fleet (a crash, a timeout). */
const alive = new Set<ChildProcess>();
process.once('exit', () => { for (const child of alive) child.kill('SIGKILL'); });

export async function startQueueFleet(options: { workers: number; redis?: LabRedisOptions } & WorkerOptions): Promise<QueueFleet> {
  const { workers: count, redis: redisOptions, ...workerDefaults } = options;
  const redis = await startLabRedis(redisOptions ?? {});
  const workers: SupervisedWorker[] = [];
  const addWorker = (extra: WorkerOptions = {}) => {
    const worker = superviseWorker(redis.url, { ...workerDefaults, ...extra });
    workers.push(worker);
    return worker;
  };
  for (let i = 0; i < count; i++) addWorker();
  const stopWorkers = async () => { await Promise.all(workers.map((w) => w.stop())); };
  return {
    redis, url: redis.url, workers, addWorker, stopWorkers,
    kill: (i, signal = 'SIGKILL') => workers[i]!.kill(signal),
    close: async () => {
      await stopWorkers();
      await redis.close();
    },
  };
}

function superviseWorker(url: string, options: WorkerOptions): SupervisedWorker {
  let child: ChildProcess | null = null;
  let stopped = false;
  let restarts = 0;
  let log = '';
  let restartTimer: NodeJS.Timeout | null = null;

  const args = [
    VOUCH_BIN, 'worker', '--queue', url, '--log-level', options.logLevel ?? 'info',
    ...(options.concurrency ? ['--concurrency', String(options.concurrency)] : []),
    ...(options.leaseMs ? ['--lease-ms', String(options.leaseMs)] : []),
    ...(options.extraArgs ?? []),
  ];
  const launch = () => {
    restartTimer = null;
    if (stopped) return;
    const spawned = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...options.env } });
    child = spawned;
    alive.add(spawned);
    spawned.stderr!.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    spawned.once('exit', (code, signal) => {
      alive.delete(spawned);
      if (child === spawned) child = null;
      if (stopped || options.restart === false) return;
      log += `${JSON.stringify({ supervisor: 'restarting', code, signal })}\n`;
      restarts++;
      restartTimer = setTimeout(launch, RESTART_DELAY_MS);
    });
  };
  launch();

  const exitOf = async (running: ChildProcess) => {
    if (running.exitCode !== null || running.signalCode !== null) return;
    await once(running, 'exit');
  };
  return {
    pid: () => child?.pid ?? null,
    restarts: () => restarts,
    log: () => log,
    kill: async (signal = 'SIGKILL') => {
      const running = child;
      if (!running) return;
      const exited = exitOf(running);
      running.kill(signal);
      await exited;
    },
    stop: async (graceMs = 5_000) => {
      stopped = true;
      if (restartTimer) clearTimeout(restartTimer);
      const running = child;
      if (!running) return;
      const exited = exitOf(running);
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
