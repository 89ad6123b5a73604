import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { RecordedFact } from '../core/domain-record.ts';
import type { Lifetime } from '../runner/cache.ts';
import { unreachableFailure } from '../runner/kept-facts.ts';
import type { FactBroker } from '../runner/probes.ts';
import { answerWithin } from './redis-deadline.ts';
import { runPrefix } from './run-keys.ts';

export { clearRun } from './run-keys.ts';

/**
 * Probe facts shared by the whole fleet (issue 12): a fact about a destination that many domains share (a big MX
 * host's: the kinds of `run` lifetime, src/runner/probe-kinds/kind.ts) is probed once per run, by whichever worker
 * claims it first, and the others get the recorded fact from Redis (key layout: run-keys.ts).
 *
 * Only those: a fact of `domain` lifetime (a domain's own DNS records, its web host's handshake and pages) is asked
 * for by that domain's checks, which one worker runs, and its own cache shares it between them. Claiming and
 * publishing every fact cost a round trip each (some 40 facts a domain in the bench) and the facts' bytes twice
 * (profiled: writing them was about a tenth of a worker's CPU), for a saving only when two workers scan domains
 * that name the same host at the same moment (the worker threads of one process still share those,
 * src/runner/workers/fact-exchange.ts, where it costs a message, not a round trip).
 *
 * A claim is one Lua script, so no two workers can both decide to load: the fact if it is there; else the loading
 * lease (SET NX PX) if nobody holds it, and the claimant loads; else it waits and asks again. The loader refreshes its
 * lease while it loads, so a worker killed mid-load stops refreshing, its lease lapses, and the next waiter to ask
 * takes it and loads instead.
 *
 * Waiting is polling with back-off (10 ms, growing to 250 ms), not pub/sub: a message published while a subscriber
 * reconnects (Redis restarted) is lost, so a waiter must poll anyway to see a publication it missed or a lease that
 * lapsed; pub/sub would also take a connection of its own per worker. Polling is cheap here: each worker's probe cache
 * asks once per key, and only keys another worker is loading at that moment are waited for. Keyspace notifications
 * are off by default on Redis servers, and Vouch cannot count on them.
 *
 * Memory is bounded by size and time, since the queue's Redis must not evict (BullMQ needs `noeviction`): a fact over
 * `maxFactBytes` is not stored (a marker tells claimants to load it themselves, at once rather than in turn); every
 * fact has a TTL: `runTtlMs`, refreshed each time it is claimed, so it lasts as long as the run asks for it; but
 * `domainTtlMs` for an outcome the session does not keep for the run either (a refusal such as an SMTP 421, which
 * may pass: only the claimants of about the same moment get it). The scanner removes the rest with clearRun at the
 * end of the run.
 */
export type FleetFactOptions = {
  /** How long a loader's claim outlives its last refresh (refreshed every third of it). Default 30 s. */
  readonly leaseMs?: number | undefined;
  /** TTL of a shared destination's outcome that is not kept for the run (an SMTP 421, a stall). Default 60 s. */
  readonly domainTtlMs?: number | undefined;
  /** TTL of a fact of `run` lifetime, renewed on every claim of it. Default 6 h. */
  readonly runTtlMs?: number | undefined;
  /** A fact larger than this (JSON, bytes) is not shared. Default 256 KiB. */
  readonly maxFactBytes?: number | undefined;
  /** A load still unpublished after this stops being refreshed (a loader that forgot): a waiter takes it over. Default 15 min. */
  readonly maxLoadMs?: number | undefined;
};

export type FleetFactStats = {
  /** Claims of a domain's own facts (`domain` lifetime), answered "load it here" without asking Redis. */
  readonly local: number;
  /** Claims this worker won: it loaded the fact. */
  readonly loaded: number;
  /** Claims answered with a fact another worker recorded: the probes the fleet saved. */
  readonly shared: number;
  /** Claims that found the fact being loaded elsewhere and waited for it. */
  readonly waited: number;
  /** Facts published too large to share. */
  readonly notShared: number;
  /** Requests to Redis that failed or went unanswered for a lease; a claim then loaded here, as a worker without a fleet would. */
  readonly redisErrors: number;
};

export type FleetFacts = {
  /** For `createProbeSession(..., { broker })`. */
  readonly broker: FactBroker;
  stats(): FleetFactStats;
  /** Stops refreshing, and gives up the leases of loads still unfinished so that waiters take them over at once. */
  close(): Promise<void>;
};

/** Stored before a fact's JSON: kept for the `r`un (its TTL is renewed on a claim) or `d`ropped soon; or alone: too big to share. */
const RUN_MARK = 'r', DOMAIN_MARK = 'd', TOO_BIG = 'x';

// KEYS: fact, loading lease. ARGV: token, lease ms, run TTL ms. Returns the stored fact, 1 (load it), or 0 (wait).
const CLAIM = `
local stored = redis.call('GET', KEYS[1])
if stored then
  if string.sub(stored, 1, 1) == '${RUN_MARK}' then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
  return stored
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;
// KEYS: fact, loading lease. ARGV: what to store, its TTL ms. One command rather than MULTI/SET/DEL/EXEC: a worker
// publishes a fact for every shared destination a domain names, and each command costs the client some 15-20 us of CPU.
const PUBLISH = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return redis.call('DEL', KEYS[2])`;
// KEYS: loading lease. ARGV: token, lease ms (0: give it up). Only the lease's holder may renew or drop it.
const LEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then return redis.call('DEL', KEYS[1]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`;

type Scripted = Redis & {
  vouchFactClaim(fact: string, loading: string, token: string, leaseMs: number, runTtlMs: number): Promise<string | number>;
  vouchFactLease(loading: string, token: string, leaseMs: number): Promise<number>;
  vouchFactPublish(fact: string, loading: string, stored: string, ttlMs: number): Promise<number>;
};

const FIRST_POLL_MS = 10, MAX_POLL_MS = 250;
const LOAD = { load: true } as const;

export function fleetFactBroker(redis: Redis, runId: string, options: FleetFactOptions = {}): FleetFacts {
  const leaseMs = options.leaseMs ?? 30_000;
  const domainTtlMs = options.domainTtlMs ?? 60_000;
  const runTtlMs = options.runTtlMs ?? 6 * 3_600_000;
  const maxFactBytes = options.maxFactBytes ?? 256 * 1024;
  const maxLoadMs = options.maxLoadMs ?? 15 * 60_000;
  const prefix = runPrefix(runId);
  const factKey = (key: string) => `${prefix}fact:${key}`;
  const leaseKey = (key: string) => `${prefix}loading:${key}`;
  // ioredis sends a defined command by its SHA and falls back to the script after a restart emptied the script cache.
  redis.defineCommand('vouchFactClaim', { numberOfKeys: 2, lua: CLAIM });
  redis.defineCommand('vouchFactLease', { numberOfKeys: 1, lua: LEASE });
  redis.defineCommand('vouchFactPublish', { numberOfKeys: 2, lua: PUBLISH });
  const scripted = redis as Scripted;

  const owner = randomUUID();
  let nextToken = 0;
  /** The leases this worker holds: probe key -> its token and when the load began. */
  const leases = new Map<string, { token: string; since: number }>();
  let local = 0, loaded = 0, shared = 0, waited = 0, notShared = 0, redisErrors = 0;
  let closed = false;

  const refresh = setInterval(() => {
    const now = Date.now();
    for (const [key, lease] of leases) {
      if (now - lease.since > maxLoadMs) { leases.delete(key); continue; }
      scripted.vouchFactLease(leaseKey(key), lease.token, leaseMs).then(
        (renewed) => { if (renewed === 0 && leases.get(key) === lease) leases.delete(key); }, // lapsed: another loads it too
        () => { redisErrors++; });
    }
  }, Math.max(1, Math.round(leaseMs / 3)));
  refresh.unref();

  const claim: FactBroker['claim'] = async (key, lifetime) => {
    if (lifetime !== 'run') { local++; return LOAD; }
    const token = `${owner}:${nextToken++}`;
    let pause = FIRST_POLL_MS;
    for (let first = true; !closed; first = false) {
      let answer: string | number | 'late';
      try {
        // A Redis away for a lease (restarting) is waited for; longer, and the domain is not held up: probe here.
        answer = await answerWithin(scripted.vouchFactClaim(factKey(key), leaseKey(key), token, leaseMs, runTtlMs), leaseMs);
      } catch {
        answer = 'late'; // ioredis gave up on the request
      }
      if (answer === 'late') {
        redisErrors++;
        return LOAD; // a lease granted after all lapses unrefreshed, and the fact is published anyway
      }
      if (answer === 1) {
        leases.set(key, { token, since: Date.now() });
        loaded++;
        return LOAD;
      }
      if (typeof answer === 'string') {
        if (answer === TOO_BIG) return LOAD;
        let fact: RecordedFact;
        try {
          fact = JSON.parse(answer.slice(1)) as RecordedFact;
        } catch {
          return LOAD; // not written by this module (another program's key in the run's namespace): probe here
        }
        shared++;
        return { fact };
      }
      if (first) waited++;
      await sleep(pause);
      pause = Math.min(Math.round(pause * 1.5), MAX_POLL_MS);
    }
    return LOAD;
  };

  const publish: FactBroker['publish'] = (fact: RecordedFact, lifetime: Lifetime) => {
    if (lifetime !== 'run') return; // never claimed in Redis (above)
    leases.delete(fact.key);
    // As the worker threads' exchange keeps them: a value, or a destination that could not be reached at all.
    const forTheRun = 'value' in fact || unreachableFailure(fact.error);
    const json = JSON.stringify(fact);
    let stored: string;
    if (json.length * 3 > maxFactBytes && Buffer.byteLength(json) > maxFactBytes) { // (a UTF-16 unit is at most 3 bytes)
      stored = TOO_BIG;
      notShared++;
    } else {
      stored = (forTheRun ? RUN_MARK : DOMAIN_MARK) + json;
    }
    // The lease goes with it whoever holds it: claimants find the fact first from now on.
    scripted.vouchFactPublish(factKey(fact.key), leaseKey(fact.key), stored, forTheRun ? runTtlMs : domainTtlMs)
      .catch(() => { redisErrors++; }); // not shared, then: a waiter loads it when the lease lapses
  };

  return {
    broker: { claim, publish },
    stats: () => ({ local, loaded, shared, waited, notShared, redisErrors }),
    close: async () => {
      closed = true;
      clearInterval(refresh);
      const held = [...leases];
      leases.clear();
      await Promise.all(held.map(([key, { token }]) => scripted.vouchFactLease(leaseKey(key), token, 0).catch(() => { redisErrors++; })));
    },
  };
}
