import { resolve } from 'node:path';
import { allowedKeys } from './definition/index.ts';
import { checkKeys, readMapping, readString, type Problems } from './fields.ts';

/** Where a route's RPKI validity comes from: a validator's HTTP API or a VRP export Vouch judges itself. */
export type RpkiValidatorSource =
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'vrp-file'; readonly path: string };

/** The `rpki` key (`net.rpki`): null parts are not configured, and the check says which is missing. */
export type RpkiConfig = {
  readonly originZone: string | null;
  readonly originZone6: string | null;
  readonly validator: RpkiValidatorSource | null;
};

const zone = (value: string | undefined): string | null => (value === undefined ? null : value.toLowerCase().replace(/\.$/, ''));

/** `rpki: { originZone, originZone6, validator }`: a URL, or a path relative to the configuration's directory. */
export function readRpki(raw: unknown, baseDir: string, problems: Problems): RpkiConfig {
  const node = readMapping(raw ?? {}, 'rpki', problems) ?? {};
  checkKeys(node, 'rpki', allowedKeys('rpki'), problems);
  const text = readString(node['validator'], 'rpki.validator', problems);
  let validator: RpkiValidatorSource | null = null;
  if (text !== undefined && /^https?:/i.test(text)) {
    if (!URL.canParse(text)) problems.push(`rpki.validator: not a valid URL: ${JSON.stringify(text)}`);
    else validator = { kind: 'http', url: new URL(text).href };
  } else if (text !== undefined) validator = { kind: 'vrp-file', path: resolve(baseDir, text) };
  return {
    originZone: zone(readString(node['originZone'], 'rpki.originZone', problems)),
    originZone6: zone(readString(node['originZone6'], 'rpki.originZone6', problems)),
    validator,
  };
}
