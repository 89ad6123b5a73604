import dgram from 'node:dgram';
import { getEventListeners } from 'node:events';
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/core/errors.ts';
import { createResolver, DNS_IN_FLIGHT } from '../../src/probes/dns.ts';
import type { Resolver, ResolverOptions } from '../../src/probes/dns.ts';
import { inFlightLimit } from '../../src/probes/dns-in-flight.ts';
import { UDP_SOCKETS_PER_FAMILY } from '../../src/probes/dns-udp.ts';
import { cleanupAfterEach } from '../support/cleanup.ts';

/** Issue 11: the resolver's bound on questions in flight, its line, and the sockets that read the answers. */

const { defer } = cleanupAfterEach();
const open = () => new AbortController().signal;

/**
 * A loopback UDP DNS server that answers every question `delayMs` after it arrives (an A record), except names
 * starting with `mute`, and counts the questions it holds unanswered: their most at any time is what a client had
 * in flight. `sources` are the client ports seen.
 */
async function slowServer(delayMs: number) {
  // As a real resolver's: the default buffer (~250 small datagrams) can drop a burst while this process is busy.
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const stats = { received: 0, outstanding: 0, maxOutstanding: 0, sources: new Set<number>() };
  socket.on('message', (msg, rinfo) => {
    const query = dnsPacket.decode(msg);
    const question = query.questions?.[0];
    stats.received++;
    stats.sources.add(rinfo.port);
    if (!question || question.name.startsWith('mute')) return;
    stats.outstanding++;
    stats.maxOutstanding = Math.max(stats.maxOutstanding, stats.outstanding);
    setTimeout(() => {
      stats.outstanding--;
      const answer = { type: 'A' as const, name: question.name, data: '192.0.2.1' };
      socket.send(dnsPacket.encode({ type: 'response', id: query.id ?? 0, flags: 0, questions: [question], answers: [answer] }),
        rinfo.port, rinfo.address);
    }, delayMs);
  });
  defer(() => socket.close());
  return { resolver: { address: '127.0.0.1', port: socket.address().port }, stats };
}

function resolverFor(server: { resolver: ResolverOptions['servers'][number] }, options: Partial<ResolverOptions> = {}): Resolver {
  const resolver = createResolver({ servers: [server.resolver], timeoutMs: 2000, retries: 0, ...options });
  defer(() => resolver.close());
  return resolver;
}

describe('createResolver: questions in flight', () => {
  it(`answers 3,000 questions asked at once, with never more than ${DNS_IN_FLIGHT} of them out`, async () => {
    const server = await slowServer(5);
    const resolver = resolverFor(server);
    const answers = await Promise.all(Array.from({ length: 3000 }, (_, i) => resolver.query(`host${i}.test`, 'A', open())));
    expect(answers.every((a, i) => a.name === `host${i}.test` && a.records[0] === '192.0.2.1')).toBe(true);
    expect(server.stats.received).toBe(3000); // none lost and asked again
    expect(server.stats.maxOutstanding).toBeLessThanOrEqual(DNS_IN_FLIGHT);
    expect(server.stats.maxOutstanding).toBeGreaterThan(DNS_IN_FLIGHT / 2); // the bound, not the test, held them back
    // A few sockets, so that one turn of a busy event loop reads every answer in flight (libuv: 32 per socket).
    expect(server.stats.sources.size).toBeGreaterThan(1);
    expect(server.stats.sources.size).toBeLessThanOrEqual(UDP_SOCKETS_PER_FAMILY);
  });

  it('asks one question after another over one socket', async () => {
    const server = await slowServer(0);
    const resolver = resolverFor(server);
    for (let i = 0; i < 5; i++) await resolver.query(`host${i}.test`, 'A', open());
    expect(server.stats.sources.size).toBe(1);
  });

  it('starts the timeout when a question is sent: one that waited in line longer than the timeout is answered', async () => {
    const server = await slowServer(50);
    const resolver = resolverFor(server, { maxInFlight: 4, timeoutMs: 400 });
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 48 }, (_, i) => resolver.query(`host${i}.test`, 'A', open())));
    expect(Date.now() - started).toBeGreaterThanOrEqual(560); // 12 turns of 50 ms: the last waited well over 400 ms
    expect(answers.map((a) => a.result)).toEqual(Array(48).fill('records'));
    expect(server.stats.maxOutstanding).toBe(4);
  });

  it('counts queryBudgetMs from when a query leaves the line, and enforces it once it has', async () => {
    const server = await slowServer(50);
    const resolver = resolverFor(server, { maxInFlight: 1, queryBudgetMs: 300, timeoutMs: 2000, retries: 3 });
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => resolver.query(`host${i}.test`, 'A', open())));
    expect(answers).toHaveLength(8);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400); // 8 of 50 ms, one after another: the last waited > 300 ms
    const muteStarted = Date.now();
    const error = await resolver.query('mute.test', 'A', open()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeError);
    expect(error).toMatchObject({ reason: 'timeout', message: expect.stringContaining('no answer within 300 ms') });
    expect(Date.now() - muteStarted).toBeLessThan(1800); // the budget, not the 2,000 ms attempt
  });

  it('takes an aborted question out of the line at once: it is never sent', async () => {
    const server = await slowServer(0);
    const resolver = resolverFor(server, { maxInFlight: 1, timeoutMs: 300 });
    const holder = resolver.query('mute.test', 'A', open()).catch((e: unknown) => e); // holds the only slot for 300 ms
    const controller = new AbortController();
    const waiting = resolver.query('host1.test', 'A', controller.signal);
    const reason = new ProbeError('timeout', 'run', 'stopped');
    const started = Date.now();
    setTimeout(() => controller.abort(reason), 20);
    await expect(waiting).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(250);
    expect(await holder).toMatchObject({ reason: 'timeout' });
    expect(await resolver.query('host2.test', 'A', open())).toMatchObject({ result: 'records' }); // the slot came back
    expect(server.stats.received).toBe(2); // mute.test and host2.test: host1.test never reached the wire
  });

  it('rejects the questions in flight and in line on close(), and sends nothing more', async () => {
    const server = await slowServer(0);
    const resolver = resolverFor(server, { maxInFlight: 1, timeoutMs: 5000 });
    const inFlight = resolver.query('mute.test', 'A', open());
    const inLine = resolver.query('host1.test', 'A', open());
    await new Promise((resolve) => setTimeout(resolve, 20));
    resolver.close();
    await expect(inFlight).rejects.toThrow('resolver closed');
    await expect(inLine).rejects.toThrow('resolver closed');
    expect(server.stats.received).toBe(1);
  });
});

describe('inFlightLimit', () => {
  const deferred = () => {
    let release!: () => void;
    const done = new Promise<void>((resolve) => { release = resolve; });
    return { done, release };
  };

  it('runs waiters in arrival order, a freed slot going to the oldest, past aborted ones', async () => {
    const limit = inFlightLimit(1);
    const order: number[] = [];
    const gate = deferred();
    const first = limit.run(open(), () => gate.done);
    const controllers = Array.from({ length: 3000 }, () => new AbortController());
    const runs = controllers.map((c, i) => limit.run(c.signal, async () => { order.push(i); }).catch(() => 'aborted'));
    controllers.forEach((c, i) => { if (i % 3 === 1) c.abort(new Error('gone')); });
    expect([limit.active, limit.waiting]).toEqual([1, 2000]);
    gate.release();
    await first;
    const outcomes = await Promise.all(runs);
    expect(order).toEqual(Array.from({ length: 3000 }, (_, i) => i).filter((i) => i % 3 !== 1));
    expect(outcomes.filter((o) => o === 'aborted')).toHaveLength(1000);
    expect([limit.active, limit.waiting]).toEqual([0, 0]);
  });

  it('never runs more than its limit at once, and frees the slot when work fails', async () => {
    const limit = inFlightLimit(3);
    let running = 0;
    let most = 0;
    const work = async (i: number) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
      if (i % 2) throw new Error(`work ${i} failed`);
    };
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => limit.run(open(), () => work(i))));
    expect(most).toBe(3);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(15);
    expect(limit.active).toBe(0);
  });

  it('listens to a signal once however many wait under it, and an abort still reaches every waiter', async () => {
    // Every query of a run waits under the run's signal; a listener each made a long line quadratic (addEventListener
    // scans the listeners already there).
    const limit = inFlightLimit(1);
    const gate = deferred();
    const run = new AbortController();
    const first = limit.run(open(), () => gate.done);
    const waiting = Array.from({ length: 2000 }, () => limit.run(run.signal, async () => 'ran').catch((e: Error) => e.message));
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    run.abort(new Error('run stopped'));
    expect(await Promise.all(waiting)).toEqual(Array(2000).fill('run stopped'));
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    gate.release();
    await first;
    expect([limit.active, limit.waiting]).toEqual([0, 0]);
  });

  it('fails a question that waited longer than maxWaitMs when its turn comes, without running it', async () => {
    const limit = inFlightLimit(1, { maxWaitMs: 50, stale: (waited) => new Error(`stale after ${waited >= 50 ? '50+' : waited} ms`) });
    const gate = deferred();
    const first = limit.run(open(), () => gate.done);
    let ran = false;
    const late = limit.run(open(), async () => { ran = true; });
    await new Promise((resolve) => setTimeout(resolve, 120));
    const fresh = limit.run(open(), async () => 'fresh ran'); // queued just now: within its wait
    gate.release();
    await first;
    await expect(late).rejects.toThrow('stale after 50+ ms');
    expect(ran).toBe(false);
    await expect(fresh).resolves.toBe('fresh ran');
    expect([limit.active, limit.waiting]).toEqual([0, 0]);
  });

  it('rejects an already aborted signal and refuses everything after close', async () => {
    const limit = inFlightLimit(1);
    const reason = new ProbeError('timeout', 'run', 'stopped');
    await expect(limit.run(AbortSignal.abort(reason), async () => 1)).rejects.toBe(reason);
    const gate = deferred();
    const running = limit.run(open(), () => gate.done);
    const waiting = limit.run(open(), async () => 'ran');
    limit.close(new Error('closed'));
    await expect(waiting).rejects.toThrow('closed');
    await expect(limit.run(open(), async () => 1)).rejects.toThrow('closed');
    gate.release();
    await running; // work already running finishes on its own
    expect(limit.active).toBe(0);
    expect(() => inFlightLimit(0)).toThrow(RangeError);
  });
});
