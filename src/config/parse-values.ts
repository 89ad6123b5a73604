import { isIP } from 'node:net';
import type { ConnectToRule } from './config.ts';
import { parseStrictInteger } from './fields.ts';

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const HOST_PART = String.raw`(\[[0-9a-fA-F:.]*\]|[^:\[\]]*)`;
const CONNECT_TO = new RegExp(`^${HOST_PART}:(\\d*):${HOST_PART}:(\\d*)$`);

function port(text: string): number | null | undefined {
  if (text === '') return null;
  const n = parseStrictInteger(text);
  return n !== undefined && n >= 1 && n <= 65535 ? n : undefined;
}

const unbracket = (text: string) => text.replace(/^\[(.*)\]$/, '$1');

/** curl's `--connect-to HOST1:PORT1:HOST2:PORT2`; IPv6 addresses in brackets. */
export function parseConnectTo(text: string): Parsed<ConnectToRule> {
  const match = CONNECT_TO.exec(text.trim());
  if (!match) return { ok: false, problem: `"${text}" is not HOST:PORT:ADDRESS:PORT (parts may be empty, IPv6 in [brackets])` };
  const [, host = '', fromPort = '', address = '', toPort = ''] = match;
  const p1 = port(fromPort);
  const p2 = port(toPort);
  if (p1 === undefined || p2 === undefined) return { ok: false, problem: `"${text}": ports must be 1-65535` };
  const addr = unbracket(address);
  if (addr !== '' && isIP(addr) === 0) return { ok: false, problem: `"${text}": "${addr}" is not an IP address` };
  if (addr === '' && p2 === null) return { ok: false, problem: `"${text}": names neither an address nor a port to connect to` };
  return {
    ok: true,
    value: { host: host === '' ? null : host.toLowerCase(), port: p1, address: addr === '' ? null : addr, dialPort: p2, text },
  };
}
