/** The keys that say how a scan probes (`timeouts`, `concurrency`, `limits`, `ipFamilies`, ...) and `thresholds`. */
import { hostname } from 'node:os';
import type { ProbeConfig } from './config.ts';
import { DEFAULT_PROBE_SETTINGS, DEFAULT_THRESHOLDS } from './defaults.ts';
import { allowedKeys, integerBounds } from './definition/index.ts';
import { checkKeys, readInteger, readList, readMapping, readString, type Problems } from './fields.ts';
import type { ConfigOverrides } from './load.ts';
import type { Thresholds } from './settings.ts';

/** A whole number at a key path of the file, within the definition's bounds. */
const integerAt = (value: unknown, path: string, problems: Problems) => readInteger(value, path, problems, ...integerBounds(path));

export function readProbe(root: Record<string, unknown>, o: ConfigOverrides, problems: Problems): ProbeConfig {
  const timeouts = readMapping(root['timeouts'], 'timeouts', problems) ?? {};
  checkKeys(timeouts, 'timeouts', allowedKeys('timeouts'), problems);
  const conc = readMapping(root['concurrency'], 'concurrency', problems) ?? {};
  checkKeys(conc, 'concurrency', allowedKeys('concurrency'), problems);
  const limits = readMapping(root['limits'], 'limits', problems) ?? {};
  checkKeys(limits, 'limits', allowedKeys('limits'), problems);
  const families = readList(root['ipFamilies'], 'ipFamilies', problems);
  const ipFamilies = families?.filter((f, i): f is 4 | 6 => {
    if (f === 4 || f === 6) return true;
    problems.push(`ipFamilies[${i}]: expected 4 or 6, got ${JSON.stringify(f)}`);
    return false;
  });
  const versionProbe = readString(root['tlsVersionProbe'], 'tlsVersionProbe', problems);
  if (versionProbe !== undefined && versionProbe !== 'raw' && versionProbe !== 'node') {
    problems.push(`tlsVersionProbe: expected "raw" or "node", got "${versionProbe}"`);
  }
  const d = DEFAULT_PROBE_SETTINGS;
  // Command-line numbers get the same bounds as the file's: --timeout 3000000000 would overflow setTimeout to 1 ms.
  const probeMs = readInteger(o.timeoutMs, '--timeout', problems, ...integerBounds('timeouts.probeMs'))
    ?? integerAt(timeouts['probeMs'], 'timeouts.probeMs', problems) ?? d.timeoutMs;
  return {
    timeoutMs: probeMs,
    checkTimeoutMs: integerAt(timeouts['checkMs'], 'timeouts.checkMs', problems) ?? Math.max(d.checkTimeoutMs, probeMs * 6),
    domainsInFlight: readInteger(o.concurrency, '--concurrency', problems, ...integerBounds('concurrency.domains'))
      ?? integerAt(conc['domains'], 'concurrency.domains', problems) ?? d.domainsInFlight,
    checksInFlight: integerAt(conc['checks'], 'concurrency.checks', problems) ?? null,
    workers: readInteger(o.workers, '--workers', problems, ...integerBounds('concurrency.workers'))
      ?? integerAt(conc['workers'], 'concurrency.workers', problems) ?? null,
    connectionsPerHost: integerAt(conc['connectionsPerHost'], 'concurrency.connectionsPerHost', problems) ?? d.connectionsPerHost,
    mxConnectionsPerAddress: integerAt(conc['mxConnectionsPerAddress'], 'concurrency.mxConnectionsPerAddress', problems) ?? d.mxConnectionsPerAddress,
    ipFamilies: ipFamilies && ipFamilies.length > 0 ? ipFamilies : d.ipFamilies,
    ehloName: readEhloName(root['ehloName'], problems),
    tlsVersionProbe: versionProbe === 'node' ? 'node' : 'raw',
    maxHeaderBytes: integerAt(limits['maxHeaderBytes'], 'limits.maxHeaderBytes', problems) ?? d.maxHeaderBytes,
    maxBodyBytes: integerAt(limits['maxBodyBytes'], 'limits.maxBodyBytes', problems) ?? d.maxBodyBytes,
    maxRedirects: integerAt(limits['maxRedirects'], 'limits.maxRedirects', problems) ?? d.maxRedirects,
  };
}

/** RFC 5321 4.1.1.1: EHLO names a domain or an address literal; nothing else may reach the SMTP dialogue. */
function readEhloName(value: unknown, problems: Problems): string {
  const name = readString(value, 'ehloName', problems);
  if (name === undefined) return hostname();
  const literal = /^\[(IPv6:)?[0-9a-fA-F:.]+\]$/.test(name);
  if (!literal && !/^(?!-)[A-Za-z0-9-]{1,63}(\.(?!-)[A-Za-z0-9-]{1,63})*$/.test(name)) {
    problems.push(`ehloName: "${name}" is neither a domain name nor an address literal like [192.0.2.1]`);
  }
  return name;
}

export function readThresholds(value: unknown, problems: Problems): Thresholds {
  const node = readMapping(value, 'thresholds', problems) ?? {};
  const keys = allowedKeys('thresholds') as (keyof Thresholds)[];
  checkKeys(node, 'thresholds', keys, problems);
  const out: Record<string, number> = { ...DEFAULT_THRESHOLDS };
  for (const key of keys) {
    const v = integerAt(node[key], `thresholds.${key}`, problems);
    if (v !== undefined) out[key] = v;
  }
  if ((out['certExpiryFailDays'] ?? 0) > (out['certExpiryWarnDays'] ?? 0)) {
    problems.push('thresholds.certExpiryFailDays: must not exceed thresholds.certExpiryWarnDays');
  }
  return out as Thresholds;
}
