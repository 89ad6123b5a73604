/**
 * reports/schema/config.schema.json, generated from the configuration definition: JSON Schema 2020-12 for editors
 * (the YAML language server completes keys and shows each description) and for tools that check a configuration
 * before it reaches Vouch. The loader checks more than a schema can say (domain names, addresses, dates that exist,
 * readable files, a signing key's type); the schema never accepts a key or a type the loader refuses.
 */
import type { JsonValue, StringFormat, ValueDefinition } from '../definition/types.ts';

type Schema = { [key: string]: JsonValue };

/** What a string must look like, where a pattern can say it without refusing what the loader accepts. */
const STRING_PATTERNS: Partial<Record<StringFormat, string>> = {
  date: '^\\d{4}-\\d{2}-\\d{2}',
  url: '^https://\\S+$',
};

function annotations(definition: ValueDefinition): Schema {
  return {
    description: definition.description,
    ...(definition.default !== undefined ? { default: definition.default } : {}),
    ...(definition.example !== undefined ? { examples: [definition.example] } : {}),
  };
}

/** The schema of one value of the definition. */
export function valueSchema(definition: ValueDefinition): Schema {
  const base = annotations(definition);
  switch (definition.type) {
    case 'string': {
      const pattern = STRING_PATTERNS[definition.format ?? 'text'] ?? '\\S';
      return { type: 'string', pattern, ...base };
    }
    case 'boolean': return { type: 'boolean', ...base };
    case 'integer': return { type: 'integer', minimum: definition.min, maximum: definition.max, ...base };
    case 'enum': return { enum: [...definition.values], ...base };
    case 'list': return { type: 'array', items: valueSchema(definition.items), ...(definition.minItems ? { minItems: definition.minItems } : {}), ...base };
    case 'either': return { oneOf: definition.options.map(valueSchema), ...base };
    case 'mapping': return {
      type: 'object',
      properties: Object.fromEntries(Object.entries(definition.keys).map(([key, child]) => [key, valueSchema(child)])),
      ...(definition.required?.length ? { required: [...definition.required] } : {}),
      additionalProperties: false,
      ...base,
    };
  }
}

/** The whole document, as written to reports/schema/config.schema.json (two-space indent, final newline). */
export function configSchemaText(definition: ValueDefinition): string {
  const schema: Schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://vouch.invalid/schema/config.json',
    title: 'Vouch configuration',
    ...valueSchema(definition),
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
