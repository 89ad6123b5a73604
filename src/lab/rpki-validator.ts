import { startHttpServer, type LabHttpServer } from './http-server.ts';
import { parseAsn, VrpIndex, type Vrp } from '../rpki/origin-validation.ts';
import { parsePrefix } from '../rpki/prefix.ts';

/**
 * A loopback fake of the Routinator HTTP validity API (`GET /api/v1/validity/AS<asn>/<prefix>`), answering from
 * `vrps` by RFC 6811 in Routinator's JSON shape; `/api/v1/validity/AS<asn>/<prefix>` for a prefix in `failing`
 * answers 503, as a validator that has not finished its first validation run does.
 */
export async function startRpkiValidator(vrps: readonly Vrp[], failing: readonly string[] = []): Promise<LabHttpServer> {
  const index = new VrpIndex(vrps);
  return startHttpServer({
    fallback: (req, res) => {
      const match = /^\/api\/v1\/validity\/([^/]+)\/(.+)$/.exec(req.url ?? '');
      const asn = parseAsn(match?.[1]);
      const route = match?.[2] ? parsePrefix(decodeURIComponent(match[2])) : null;
      if (asn === null || !route) { res.statusCode = 400; res.end('bad request'); return; }
      if (failing.includes(route.text)) { res.statusCode = 503; res.end('Initial validation ongoing. Please wait.'); return; }
      const v = index.validate(asn, route);
      const list = (l: typeof v.matched) => l.map((x) => ({ asn: x.asn, prefix: x.prefix, max_length: x.maxLength }));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        validated_route: {
          route: { origin_asn: `AS${asn}`, prefix: route.text },
          validity: { state: v.state, description: `lab: ${v.state}`, VRPs: { matched: list(v.matched), unmatched_as: list(v.unmatchedAs), unmatched_length: list(v.unmatchedLength) } },
        },
        generatedTime: new Date().toISOString(),
      }));
    },
  });
}
