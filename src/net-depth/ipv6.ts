import net from 'node:net';
import { ProbeError } from '../core/errors.ts';
import type { Verdict } from '../core/endpoints.ts';
import type { Endpoint, JsonObject } from '../core/types.ts';
import type { DnsAnswer, Probes } from '../probes/types.ts';

/** A host's AAAA records and, for each, where to dial it (or why it cannot be dialled from here). */
export type Ipv6Targets = {
  readonly aaaa: DnsAnswer;
  readonly targets: readonly { readonly address: string; readonly endpoint: Endpoint | null; readonly untestable: string | null }[];
  /** The host's IPv4 endpoints on the same port, for telling an IPv6-only silence from a silent host. */
  readonly ipv4: readonly Endpoint[];
};

/**
 * The AAAA addresses of `host` and how to reach each on `port`: through `endpoints` (so `connectTo` dial ports apply),
 * unless this scanner cannot (`ipFamilies` without 6, no IPv6 route: `ipv6Client`) or a `connectTo` address replaces
 * the host's own (then its AAAA addresses are never dialled). Those are `untestable`, with the cause.
 */
export async function ipv6Targets(probes: Pick<Probes, 'dns' | 'endpoints' | 'ipv6Client'>, host: string, port: number): Promise<Ipv6Targets> {
  const [aaaa, set] = await Promise.all([probes.dns(host, 'AAAA'), probes.endpoints(host, port)]);
  const ipv4 = set.endpoints.filter((ep) => net.isIPv4(ep.address));
  const targets = await Promise.all(aaaa.records.map(async (address) => {
    if (set.source === 'connect-to') {
      return { address, endpoint: null, untestable: `connectTo sends ${host}:${port} to ${set.endpoints[0]?.address ?? '?'}, so its AAAA addresses are not dialled` };
    }
    const client = await probes.ipv6Client(address);
    if (!client.usable) return { address, endpoint: null, untestable: `IPv6 cannot be tested from this host: ${client.cause ?? 'unknown'}` };
    const endpoint = set.endpoints.find((ep) => ep.address === address) ?? null;
    return { address, endpoint, untestable: endpoint ? null : `${address} is not among the addresses dialled for ${host}:${port}` };
  }));
  return { aaaa, targets, ipv4 };
}

/**
 * Reachability of one IPv6 address, from what `attempt` (a TLS handshake, an SMTP banner, a DNS answer) did:
 * it answered: pass; refused or a failed handshake: fail (the host answered, and said no); silence (timeout,
 * unreachable): fail when the same service answered over IPv4 from here (the IPv6 path is what is broken), else
 * `error` (nothing answered at all: not a fact about IPv6).
 */
export async function judgeReach(
  what: string, attempt: () => Promise<JsonObject>, ipv4Answers: () => Promise<boolean>,
): Promise<Verdict> {
  try {
    const evidence = await attempt();
    return { status: 'pass', summary: `${what} answers over IPv6`, evidence };
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    const evidence = { cause: err.message };
    if (err.reason === 'refused' || err.reason === 'tls-handshake') {
      return { status: 'fail', summary: `${what} does not work over IPv6: ${err.message}`, evidence };
    }
    if (await ipv4Answers()) return { status: 'fail', summary: `${what} answers over IPv4 but not over IPv6: ${err.message}`, evidence };
    return { status: 'error', reason: err.reason, summary: `${what} answers over neither IPv4 nor IPv6 from here: ${err.message}`, evidence };
  }
}

/** `attempt` on the first IPv4 endpoint succeeded (false when there is none or it failed as a probe). */
export async function answersOverIpv4(ipv4: readonly Endpoint[], attempt: (ep: Endpoint) => Promise<unknown>): Promise<boolean> {
  const first = ipv4[0];
  if (!first) return false;
  try {
    await attempt(first);
    return true;
  } catch (err) {
    if (err instanceof ProbeError) return false;
    throw err;
  }
}

/** An untestable address's row: `error` `client-limitation`, the cause said in its summary. */
export const untestableVerdict = (cause: string): Verdict => ({ status: 'error', reason: 'client-limitation', summary: cause, evidence: {} });
