import { isIPv6 } from 'node:net';
import type { Endpoint } from './types.ts';

/** `host:port (address)`, with the dial port when a connect-to override changed it: how evidence and errors name an endpoint. */
export function endpointLabel(ep: Endpoint): string {
  const address = isIPv6(ep.address) && ep.dialPort !== ep.port ? `[${ep.address}]` : ep.address;
  return `${ep.hostname}:${ep.port} (${address}${ep.dialPort !== ep.port ? `:${ep.dialPort}` : ''})`;
}
