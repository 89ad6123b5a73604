import { describe, expect, it } from 'vitest';
import { corsCheck, PROBE_ORIGIN } from '../../../checks/http/cors.ts';
import { contextFor } from '../../support/fake-probes.ts';
import { LANDING, site, unreachable } from './site.ts';

/** A server that answers CORS from the request's Origin, as a misconfigured one does. */
const server = (answer: (origin: string) => Record<string, readonly string[]>) =>
  site({ [LANDING]: (request) => ({ headers: answer(request.headers?.['origin'] ?? '') }) });

describe('http.cors', () => {
  it.each([
    [(o: string) => ({ 'access-control-allow-origin': [o], 'access-control-allow-credentials': ['true'] }), 'fail',
      'CORS reflects any Origin with credentials: other sites can read responses as the signed-in user'],
    [(o: string) => ({ 'access-control-allow-origin': [o] }), 'pass', 'CORS reflects any Origin, but without credentials'],
    [(o: string) => ({ 'access-control-allow-origin': [o], 'access-control-allow-credentials': ['TRUE'] }), 'pass',
      'CORS reflects any Origin, but without credentials'],                                          // Fetch: exactly `true`
    [() => ({ 'access-control-allow-origin': ['*'], 'access-control-allow-credentials': ['true'] }), 'pass',
      'CORS allows any origin without credentials (*)'],                                             // browsers refuse * with credentials
    [() => ({ 'access-control-allow-origin': ['https://partner.example'], 'access-control-allow-credentials': ['true'] }), 'pass',
      'CORS grants only https://partner.example'],
    [() => ({}), 'pass', 'No CORS access granted to a foreign Origin'],
  ] as const)('%s -> %s', async (answer, status, summary) => {
    expect(await corsCheck.run(contextFor(server(answer).probes))).toMatchObject({ status, summary });
  });

  it('sends the foreign Origin and shows what came back', async () => {
    const { probes, requests } = server((o) => ({ 'access-control-allow-origin': [o], 'access-control-allow-credentials': ['true'] }));
    const outcome = await corsCheck.run(contextFor(probes));
    expect(requests[0]?.request.headers).toEqual({ origin: PROBE_ORIGIN });
    expect(outcome).toMatchObject({ evidence: { pages: [{
      requestOrigin: 'https://vouch-cors-probe.invalid', accessControlAllowOrigin: [PROBE_ORIGIN], accessControlAllowCredentials: ['true'],
    }] } });
  });

  it('reports a ProbeError on the only address as error, not as a finding', async () => {
    expect(await corsCheck.run(contextFor(unreachable()))).toMatchObject({ status: 'error', reason: 'timeout' });
  });
});
