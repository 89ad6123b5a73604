/** The keys that say which network Vouch scans through: `resolvers`, `connectTo`, `trustedCaFiles`. */
import { readFile } from 'node:fs/promises';
import type { ConnectToRule, ResolverAddress } from './config.ts';
import { readStringList, type Problems } from './fields.ts';
import { parseConnectTo } from './parse-values.ts';
import { parseResolverAddress } from './resolvers.ts';

/** null when absent: the system's resolvers (/etc/resolv.conf). */
export function readResolvers(value: unknown, problems: Problems): ResolverAddress[] | null {
  const list = readStringList(value, 'resolvers', problems);
  if (!list) return null;
  if (list.length === 0 && Array.isArray(value) && value.length === 0) {
    problems.push('resolvers: must name at least one resolver (leave it out to use /etc/resolv.conf)');
  }
  const out: ResolverAddress[] = [];
  list.forEach((text, i) => {
    const parsed = parseResolverAddress(text);
    if (parsed.ok) out.push(parsed.value);
    else problems.push(`resolvers[${i}]: ${parsed.problem}`);
  });
  return out;
}

export function readConnectTo(list: readonly string[], problems: Problems): ConnectToRule[] {
  const out: ConnectToRule[] = [];
  list.forEach((text, i) => {
    const parsed = parseConnectTo(text);
    if (parsed.ok) out.push(parsed.value);
    else problems.push(`connectTo[${i}]: ${parsed.problem}`);
  });
  return out;
}

/** The PEM certificates of every file (absolute paths); a file without one is a problem, not silently nothing. */
export async function readCaFiles(files: readonly string[], problems: Problems): Promise<string[]> {
  const pems: string[] = [];
  for (const [i, file] of files.entries()) {
    try {
      const text = await readFile(file, 'utf8');
      const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      if (blocks.length === 0) problems.push(`trustedCaFiles[${i}]: ${file} holds no PEM certificate`);
      pems.push(...blocks);
    } catch (err) {
      problems.push(`trustedCaFiles[${i}]: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return pems;
}
