/**
 * The shape of the one configuration definition (src/config/definition/index.ts): every key with its type, bounds,
 * allowed values, default, one-sentence description and example. The loader takes its allowed keys and integer
 * bounds from it, and docs/configuration.md and reports/schema/config.schema.json are generated from it, so the three
 * cannot drift apart.
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

type Described = {
  /** One sentence: the docs' and the schema's description, and the editor's hover text. */
  readonly description: string;
  /** The value used when the key is absent, when it is a constant. */
  readonly default?: JsonValue;
  /** The default in words when it is not a constant (`the system's resolvers`); shown in the docs only. */
  readonly defaultText?: string;
  /** A realistic value, for the docs and the generated example configuration. */
  readonly example?: JsonValue;
};

/** What a string holds: a `path` is resolved against the configuration file's directory. */
export type StringFormat = 'text' | 'path' | 'domain' | 'date' | 'glob' | 'url' | 'address';

export type ValueDefinition =
  | Described & { readonly type: 'string'; readonly format?: StringFormat }
  | Described & { readonly type: 'boolean' }
  | Described & { readonly type: 'integer'; readonly min: number; readonly max: number }
  | Described & { readonly type: 'enum'; readonly values: readonly (string | number)[] }
  | Described & { readonly type: 'list'; readonly items: ValueDefinition; readonly minItems?: number }
  | Described & { readonly type: 'mapping'; readonly keys: KeyTable; readonly required?: readonly string[] }
  /** One of several shapes: a domain is a name or a mapping with a name. */
  | Described & { readonly type: 'either'; readonly options: readonly ValueDefinition[] };

export type KeyTable = Readonly<Record<string, ValueDefinition>>;
export type MappingDefinition = Extract<ValueDefinition, { type: 'mapping' }>;

/**
 * The definition at a key path: segments joined by dots, `[]` for the items of a list (`domains[].cookies[].name`).
 * Inside an `either`, the mapping option is followed. Throws for a path the definition does not have: the loader
 * asking for one is a bug, found by the first test that loads a configuration.
 */
export function definitionAt(root: ValueDefinition, path: string): ValueDefinition {
  let node = root;
  for (const segment of path.split(/\.|(?=\[\])/).filter(Boolean)) {
    node = mappingOf(node) ?? node;
    const next = segment === '[]' ? (node.type === 'list' ? node.items : undefined) : node.type === 'mapping' ? node.keys[segment] : undefined;
    if (!next) throw new Error(`the configuration definition has no key "${path}"`);
    node = next;
  }
  return node;
}

/** The mapping a definition stands for: itself, or the mapping option of an `either`. */
export function mappingOf(node: ValueDefinition): MappingDefinition | undefined {
  if (node.type === 'mapping') return node;
  if (node.type === 'either') return node.options.find((o): o is MappingDefinition => o.type === 'mapping');
  return undefined;
}

/** The keys allowed in the mapping at `path`, in the definition's order (the order of the "allowed:" messages). */
export function keysAt(root: ValueDefinition, path: string): string[] {
  const mapping = mappingOf(definitionAt(root, path));
  if (!mapping) throw new Error(`the configuration definition has no mapping at "${path}"`);
  return Object.keys(mapping.keys);
}

/** The bounds of the whole number at `path`, as `[min, max]` for readInteger. */
export function boundsAt(root: ValueDefinition, path: string): [number, number] {
  const node = definitionAt(root, path);
  if (node.type !== 'integer') throw new Error(`the configuration definition has no whole number at "${path}"`);
  return [node.min, node.max];
}

/** Every key path under `root`, depth first in definition order (`output`, `output.dir`, ..., `domains[].name`). */
export function keyPaths(root: ValueDefinition, prefix = ''): string[] {
  const mapping = mappingOf(root);
  if (mapping) {
    return Object.entries(mapping.keys).flatMap(([key, child]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      return [path, ...keyPaths(child, path)];
    });
  }
  return root.type === 'list' ? keyPaths(root.items, `${prefix}[]`) : [];
}
