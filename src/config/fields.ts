/**
 * Readers for an untyped config tree that never stop at the first problem: each records `path: what is wrong`
 * and returns undefined, so `loadConfig` can list every problem at once.
 */
export type Problems = string[];
type Raw = unknown;

export function isRecord(value: Raw): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeType(value: Raw): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Unknown keys are errors: a typo such as `timeout:` for `timeouts:` must not be silently ignored. */
export function checkKeys(value: Record<string, unknown>, path: string, allowed: readonly string[], problems: Problems): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const k = key.toLowerCase();
      const hint = allowed.find((a) => a.toLowerCase() === k) ??
        allowed.find((a) => Math.abs(a.length - k.length) <= 2 && (a.toLowerCase().startsWith(k) || k.startsWith(a.toLowerCase())));
      problems.push(`${join(path, key)}: unknown key${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.join(', ')}`);
    }
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function readMapping(value: Raw, path: string, problems: Problems): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (isRecord(value)) return value;
  problems.push(`${path}: expected a mapping, got ${describeType(value)}`);
  return undefined;
}

export function readString(value: Raw, path: string, problems: Problems): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  problems.push(`${path}: expected a non-empty string, got ${describeType(value)}`);
  return undefined;
}

export function readBoolean(value: Raw, path: string, problems: Problems): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  problems.push(`${path}: expected true or false, got ${describeType(value)}`);
  return undefined;
}

/** Whole numbers only, within bounds: a NaN or negative limit would silently disable the limit. */
export function readInteger(value: Raw, path: string, problems: Problems, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  problems.push(`${path}: expected a whole number from ${min} to ${max}, got ${describeType(value)}`);
  return undefined;
}

export function readList(value: Raw, path: string, problems: Problems): readonly unknown[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value;
  problems.push(`${path}: expected a list, got ${describeType(value)}`);
  return undefined;
}

export function readStringList(value: Raw, path: string, problems: Problems): string[] | undefined {
  const list = readList(value, path, problems);
  if (!list) return undefined;
  const out: string[] = [];
  list.forEach((item, i) => {
    const text = readString(item, join(path, i), problems);
    if (text !== undefined) out.push(text);
  });
  return out;
}

/** Strict CLI/config integer parsing: `08`, `1e3`, `5ms` and `` are all rejected. */
export function parseStrictInteger(text: string): number | undefined {
  return /^(0|[1-9]\d{0,9})$/.test(text.trim()) ? Number(text.trim()) : undefined;
}
