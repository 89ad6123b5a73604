import { describe, expect, it } from 'vitest';
import { judgeEndpoints, whereSummary, worstOf, type EndpointVerdict, type Judged, type Verdict } from '../../src/core/endpoints.ts';
import { ProbeError } from '../../src/core/errors.ts';
import { HTTPS_LISTENING, HTTPS_SERVED } from '../../src/core/prerequisites.ts';
import type { Endpoint } from '../../src/core/types.ts';
import { contextFor, fakeProbes } from '../support/fake-probes.ts';

const verdict = (status: EndpointVerdict['status'], summary: string = status): Verdict => ({ status, summary, evidence: { seen: summary } });
const untested: Verdict = { status: 'error', reason: 'timeout', summary: 'no answer', evidence: {} };
const rows = (...verdicts: Verdict[]): Judged[] => verdicts.map((v, i) => ({ label: `s${i}`, facts: { n: i }, verdict: v }));
const combine = (judged: Judged[]) => worstOf(judged, { summary: (w) => whereSummary(w, judged, 'things'), evidence: (r) => ({ rows: r }), remediation: 'fix it' });

describe('worstOf', () => {
  it.each([
    [[verdict('pass'), verdict('warn')], 'warn'],
    [[verdict('pass'), untested], 'error'],         // an untested subject keeps a clean result from being a pass
    [[verdict('warn'), untested], 'error'],
    [[untested, verdict('fail')], 'fail'],          // and never hides a fail seen on another
  ] as const)('%j -> %s', (verdicts, status) => {
    expect(combine(rows(...verdicts)).status).toBe(status);
  });

  it('shows every subject: facts, status and summary, then its evidence; remediation only on warn and fail', () => {
    expect(combine(rows(verdict('pass'), untested))).toEqual({
      status: 'error', reason: 'timeout', summary: 'no answer (s1)',
      evidence: { rows: [{ n: 0, status: 'pass', summary: 'pass', seen: 'pass' }, { n: 1, status: 'error', summary: 'no answer' }] },
    });
    expect(combine(rows(verdict('pass')))).not.toHaveProperty('remediation');
    expect(combine(rows(verdict('warn')))).toMatchObject({ remediation: 'fix it' });
  });

  it('names where the worst was seen, the first of equals, unless every subject said the same', () => {
    expect(combine(rows(verdict('fail', 'a'), verdict('fail', 'b'))).summary).toBe('a (s0)');
    expect(combine(rows(verdict('fail', 'a'), verdict('fail', 'a'), verdict('fail', 'a'))).summary).toBe('a (all 3 things)');
    expect(combine(rows(verdict('fail', 'a'))).summary).toBe('a');
  });
});

describe('judgeEndpoints', () => {
  const addresses = ['192.0.2.1', '192.0.2.2'];
  const judged = (judge: (ep: Endpoint) => Promise<Verdict>) => judgeEndpoints(contextFor(fakeProbes({
    endpoints: async (hostname, port) => ({
      hostname, port, source: 'dns', answers: [], endpoints: addresses.map((address, i) => ({ hostname, port, address, dialPort: port + i })),
    }),
  })), 'example.nl', 443, 'fix it', judge);
  const withPrerequisite = (judge: (ep: Endpoint) => Promise<Verdict>, prerequisite = HTTPS_SERVED) => judgeEndpoints(contextFor(fakeProbes({
    endpoints: async (hostname, port) => ({
      hostname, port, source: 'dns', answers: [], endpoints: addresses.map((address) => ({ hostname, port, address, dialPort: port })),
    }),
  })), 'example.nl', 443, 'fix it', judge, { prerequisite });
  const refused = (address: string) => new ProbeError('refused', address, 'ECONNREFUSED', { stage: 'connect' });

  it('skips (prerequisite) when every address shows the prerequisite\'s finding, naming that check', async () => {
    const outcome = await withPrerequisite(async (ep) => { throw refused(ep.address); });
    expect(outcome).toMatchObject({ status: 'skip', reason: 'prerequisite', summary: expect.stringMatching(/HTTPS is not served.*see https\.available/) });
  });

  it('judges the addresses that serve and skips the one that refuses (https.available fails that one)', async () => {
    const outcome = await withPrerequisite(async (ep) => {
      if (ep.address === '192.0.2.2') throw refused(ep.address);
      return verdict('warn', 'weak');
    });
    expect(outcome).toMatchObject({ status: 'warn', evidence: { addresses: [{ status: 'warn' }, { status: 'skip', cause: '192.0.2.2: ECONNREFUSED' }] } });
  });

  it('keeps a timeout an error under a prerequisite: silence is not an answer', async () => {
    const outcome = await withPrerequisite(async (ep) => { throw new ProbeError('timeout', ep.address, 'no answer', { stage: 'connect' }); });
    expect(outcome).toMatchObject({ status: 'error', reason: 'timeout' });
  });

  it('skips on a failed handshake only where the prerequisite says so', async () => {
    const handshake = async (ep: Endpoint): Promise<Verdict> => { throw new ProbeError('tls-handshake', ep.address, 'alert'); };
    expect((await withPrerequisite(handshake, HTTPS_SERVED)).status).toBe('skip');
    expect((await withPrerequisite(handshake, HTTPS_LISTENING)).status).toBe('error');
  });

  it('turns a ProbeError on one address into that address\'s error, listing each address', async () => {
    const outcome = await judged(async (ep) => {
      if (ep.address === '192.0.2.2') throw new ProbeError('refused', '192.0.2.2', 'ECONNREFUSED');
      return verdict('pass', 'fine');
    });
    expect(outcome).toEqual({
      status: 'error', reason: 'refused', summary: '192.0.2.2: ECONNREFUSED (192.0.2.2)',
      evidence: { host: 'example.nl', port: 443, addresses: [
        { address: '192.0.2.1', status: 'pass', summary: 'fine', seen: 'fine' },
        { address: '192.0.2.2', dialPort: 444, status: 'error', summary: '192.0.2.2: ECONNREFUSED' },
      ] },
    });
  });

  it('lets any other error propagate: it is a bug, not a fact about the target', async () => {
    await expect(judged(async () => { throw new TypeError('oops'); })).rejects.toThrow('oops');
  });
});
