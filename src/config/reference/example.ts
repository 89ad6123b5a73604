/** Examples from the configuration definition: a configuration that uses every key, and YAML to show them in. */
import { mappingOf, type JsonValue, type ValueDefinition } from '../definition/types.ts';

/**
 * A value for `definition` that uses every key under it: a mapping gets each of its keys, a list of mappings one
 * entry with every key, anything else its own `example`. Throws when a key has no example to give: the reference
 * shows one for every key, and a configuration built from them must load (test/config/definition.test.ts).
 */
export function completeExample(definition: ValueDefinition, path = ''): JsonValue {
  const mapping = mappingOf(definition);
  if (mapping) {
    return Object.fromEntries(Object.entries(mapping.keys).map(([key, child]) => [key, completeExample(child, path ? `${path}.${key}` : key)]));
  }
  if (definition.type === 'list' && mappingOf(definition.items)) return [completeExample(definition.items, `${path}[]`)];
  if (definition.example === undefined) throw new Error(`the configuration definition has no example for "${path}"`);
  return definition.example;
}

/** Plain YAML scalars where they read back as the same string; anything that could be misread is quoted. */
function scalar(value: JsonValue): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  const plain = /^[A-Za-z0-9_./][A-Za-z0-9_./@+-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|~|[-+.\d][\d._eE+-]*)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

const isScalar = (value: JsonValue) => value === null || typeof value !== 'object';

/** One line: scalars, and lists and mappings of scalars, in flow style (`[json, text]`, `{ web: true }`). */
function flow(value: JsonValue): string {
  if (isScalar(value)) return scalar(value);
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  const entries = Object.entries(value as Record<string, JsonValue>);
  return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${k}: ${flow(v)}`).join(', ')} }`;
}

const fitsOneLine = (value: JsonValue) => flow(value).length <= 100;

/**
 * `value` as block YAML under `key` at `indent` spaces: short values in flow style on the key's line, longer
 * mappings as blocks and longer lists one entry a line.
 */
export function toYaml(key: string, value: JsonValue, indent = 0): string[] {
  const pad = ' '.repeat(indent);
  if (isScalar(value) || fitsOneLine(value)) return [`${pad}${key}: ${flow(value)}`];
  if (Array.isArray(value)) {
    return [`${pad}${key}:`, ...value.flatMap((item) => {
      if (isScalar(item) || Array.isArray(item) || fitsOneLine(item)) return [`${pad}  - ${flow(item)}`];
      const lines = Object.entries(item as Record<string, JsonValue>).flatMap(([k, v]) => toYaml(k, v, indent + 4));
      return lines.map((line, i) => (i === 0 ? `${pad}  - ${line.trimStart()}` : line));
    })];
  }
  return [`${pad}${key}:`, ...Object.entries(value as Record<string, JsonValue>).flatMap(([k, v]) => toYaml(k, v, indent + 2))];
}
