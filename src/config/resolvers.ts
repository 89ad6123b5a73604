import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { ResolverAddress } from './config.ts';

/** The result of parsing one configured resolver address. */
export type ParsedResolver = { readonly ok: true; readonly value: ResolverAddress } | { readonly ok: false; readonly problem: string };

/**
 * Parses `192.0.2.53`, `192.0.2.53:5353`, `2001:db8::53` or `[2001:db8::53]:5353` (port 53 when omitted).
 * Host names are refused: a resolver cannot be looked up through itself.
 */
export function parseResolverAddress(text: string): ParsedResolver {
  const trimmed = text.trim();
  const bad: ParsedResolver = { ok: false, problem: `not an IP address with an optional port (like 192.0.2.53:5353 or [2001:db8::53]:5353): ${JSON.stringify(text)}` };
  let address = trimmed;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(trimmed);
  if (bracketed) {
    [address = '', portText] = [bracketed[1], bracketed[2]];
    if (!net.isIPv6(address)) return bad;
  } else if (!net.isIP(trimmed)) {
    const colon = trimmed.lastIndexOf(':');
    [address, portText] = [trimmed.slice(0, colon), trimmed.slice(colon + 1)];
    if (colon < 0 || !net.isIPv4(address)) return bad;
  }
  if (portText === undefined) return { ok: true, value: { address, port: 53 } };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return { ok: false, problem: `port must be a number from 1 to 65535: ${JSON.stringify(text)}` };
  return { ok: true, value: { address, port } };
}

/**
 * The `nameserver` lines of resolv.conf(5) on port 53, at most three as glibc uses (MAXNS); 127.0.0.1:53 when the
 * file is missing or names none, which is glibc's fallback too.
 */
export function systemResolvers(path = '/etc/resolv.conf'): ResolverAddress[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // An unreadable file means no configured servers, exactly as for the C library.
  }
  const found: ResolverAddress[] = [];
  for (const line of text.split(/\r?\n/)) {
    const value = /^\s*nameserver\s+(\S+)/.exec(line)?.[1];
    const parsed = value === undefined ? undefined : parseResolverAddress(value);
    if (parsed?.ok && found.length < 3) found.push(parsed.value);
  }
  return found.length > 0 ? found : [{ address: '127.0.0.1', port: 53 }];
}

/** `address:port` of each resolver a scan with `config` uses, in failover order (`[v6]:port` for IPv6), as reports name them. */
export function resolverLabels(resolvers: readonly ResolverAddress[] | null): string[] {
  return (resolvers ?? systemResolvers()).map((s) => (s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`));
}
