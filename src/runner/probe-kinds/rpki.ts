import { ProbeError, toProbeError } from '../../core/errors.ts';
import type { OriginValidity } from '../../rpki/origin-validation.ts';
import { parsePrefix } from '../../rpki/prefix.ts';
import { parseValidityResponse, validityUrl } from '../../rpki/routinator.ts';
import { vrpIndexOf } from '../../rpki/vrp-file.ts';
import { probeKind } from './kind.ts';

/** A route's RPKI origin validity (RFC 6811) and where it came from. */
export type RpkiValidityFacts = OriginValidity & {
  readonly asn: number;
  readonly prefix: string;
  /** `http <url>` (a validator's answer) or `vrp-file <path>` (judged by Vouch from the export). */
  readonly source: string;
  readonly observedAt: string;
};

/** Bytes read of a validator's answer: a few VRPs, never megabytes. */
const MAX_ANSWER_BYTES = 1 << 20;

/**
 * The validity of `AS<asn>` originating `prefix`, from the configured validator (`rpki.validator`: an HTTP API, reached
 * at that URL only, or a VRP export). A route is the same fact for every domain behind it: kept for the run.
 */
export const rpkiValidity = probeKind({
  name: 'rpkiValidity',
  lifetime: 'run',
  key: (asn: number, prefix: string) => `rpki-validity:AS${asn}:${prefix.toLowerCase()}`,
  async load(ctx, asn, prefix): Promise<RpkiValidityFacts> {
    const validator = ctx.config.rpki.validator;
    if (!validator) throw new ProbeError('client-limitation', 'rpki', 'no RPKI validator configured (rpki.validator)');
    const observedAt = new Date().toISOString();
    if (validator.kind === 'vrp-file') {
      const route = parsePrefix(prefix);
      if (!route) throw new ProbeError('protocol', 'rpki', `not a prefix: ${JSON.stringify(prefix)}`);
      const index = await vrpIndexOf(validator.path);
      return { asn, prefix, source: `vrp-file ${validator.path}`, observedAt, ...index.validate(asn, route) };
    }
    const url = validityUrl(validator.url, asn, prefix);
    const json = await ctx.bounded(`rpki ${url}`, async (signal) => {
      let response: Response;
      try {
        response = await fetch(url, { signal, headers: { accept: 'application/json' }, redirect: 'error' });
      } catch (err) {
        throw toProbeError((err as { cause?: unknown }).cause ?? err, url);
      }
      const body = await response.text();
      if (body.length > MAX_ANSWER_BYTES) throw new ProbeError('protocol', url, `answer larger than ${MAX_ANSWER_BYTES} bytes`);
      if (!response.ok) throw new ProbeError('protocol', url, `HTTP ${response.status}: ${body.slice(0, 200)}`);
      try {
        return JSON.parse(body) as unknown;
      } catch {
        throw new ProbeError('protocol', url, `not JSON: ${body.slice(0, 200)}`);
      }
    });
    const parsed = parseValidityResponse(json);
    if (!parsed.ok) throw new ProbeError('protocol', url, parsed.problem);
    return { asn, prefix, source: `http ${validator.url}`, observedAt, ...parsed.validity };
  },
});
