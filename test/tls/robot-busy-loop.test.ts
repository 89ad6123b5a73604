import { afterAll, describe, expect, it } from 'vitest';
import { startRawTlsServer, type RawTlsOptions } from '../../src/lab/raw-tls-server.ts';
import type { LabServer } from '../../src/lab/tls-server.ts';
import { createConverser, type Converser } from '../../src/tls/conversation.ts';
import { probeRobot, type RobotPlan } from '../../src/tls/weakness/robot.ts';

// ROBOT keeps its verdict when this process's event loop stalls (a busy scan, or a loaded machine, with the lab server
// in the same process as the probe, as in every e2e test and the demo). Each connection blocks the event loop for
// longer than the silence window right after the ClientKeyExchange goes out: the quiet timer then comes due before
// the server has had its turn to answer. Counted in wall time alone, those stalls were silences, and the probe called
// a server with no oracle "too noisy to judge", and one with an oracle only without ChangeCipherSpec an oracle with it.

const QUIET_MS = 150;
const STALL_MS = 200;
const RSA_PLAN: RobotPlan = { version: 'TLSv1.2', suites: [0x009c, 0x002f] };

const servers: LabServer[] = [];
afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });

/** `inner`, with the event loop blocked for STALL_MS on the timer turn after each send. */
function stallingAfterSend(inner: Converser): Converser {
  return {
    connections: () => inner.connections(),
    converse: (hello, plan) => inner.converse(hello, (flight, talk) => plan(flight, {
      flightMs: talk.flightMs,
      listen: (quietMs, enough) => talk.listen(quietMs, enough),
      send(bytes) {
        talk.send(bytes);
        setTimeout(() => {
          const until = performance.now() + STALL_MS;
          while (performance.now() < until) { /* a synchronous stretch of work, as a busy scan has */ }
        }, 0);
      },
    })),
  };
}

async function probeStalled(options: RawTlsOptions) {
  const server = await startRawTlsServer(options);
  servers.push(server);
  const endpoint = { hostname: 'localhost', port: 443, address: server.host, dialPort: server.port };
  const converser = stallingAfterSend(createConverser(endpoint, { timeoutMs: 10_000, signal: AbortSignal.timeout(30_000) }));
  return probeRobot({ converser, endpoint: `localhost:443 (${server.host})`, transport: 'tls', serverName: 'localhost', quietMs: QUIET_MS }, RSA_PLAN);
}

describe('ROBOT on a stalling event loop', { timeout: 30_000 }, () => {
  it('passes a server that answers every payload alike, in 10 connections', async () => {
    const facts = await probeStalled({});
    expect(facts.outcome, facts.finding).toBe('not-vulnerable');
    expect(facts.connections).toBe(10);
  });

  it('fails a padding oracle, confirmed in the first flow (10 connections)', async () => {
    const facts = await probeStalled({ paddingOracle: true });
    expect(facts.outcome, facts.finding).toBe('vulnerable');
    expect(facts.details).toMatchObject({ flow: 'with-ccs', oracle: 'strong' });
    expect(facts.connections).toBe(10);
  });

  it('fails an oracle shown only without ChangeCipherSpec, where its silence is real (15 connections)', async () => {
    const facts = await probeStalled({ oracleWithoutCcs: true });
    expect(facts.outcome, facts.finding).toBe('vulnerable');
    expect(facts.details).toMatchObject({ flow: 'without-ccs' });
    expect(facts.connections).toBe(15);
  });
});
