/**
 * A browser visit's artifact (issue 14, src/browser/facts.ts) in the HTML report: the screenshot as evidence (a
 * data: URL, which the report's CSP allows for images only) and the third-party hosts the page contacted. The JSON
 * below it keeps everything else; the screenshot's base64 is not repeated there.
 */
import type { Json } from '../../src/core/types.ts';
import { EMPTY, html, type Safe } from './markup.ts';

type VisitShape = {
  url?: unknown; screenshot?: { type?: unknown; base64?: unknown; width?: unknown; height?: unknown; omitted?: unknown };
  requests?: { host?: unknown; party?: unknown; type?: unknown }[];
};

const isVisitKey = (key: string) => key.startsWith('browser:');
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** For a browser artifact: the figure and the JSON without the image; for any other artifact: nothing and the value. */
export function browserArtifact(key: string, value: Json): { readonly figure: Safe; readonly value: Json } {
  if (!isVisitKey(key) || typeof value !== 'object' || value === null || Array.isArray(value)) return { figure: EMPTY, value };
  const visit = value as VisitShape;
  const shot = visit.screenshot;
  const image = shot && shot.type === 'image/jpeg' && typeof shot.base64 === 'string' && BASE64.test(shot.base64) ? shot.base64 : null;
  const thirdParties = [...new Set((visit.requests ?? []).filter((r) => r.party === 'third' && typeof r.host === 'string').map((r) => r.host as string))].sort();
  const url = typeof visit.url === 'string' ? visit.url : key;
  const figure = html`<figure class="screenshot">${image === null
    ? html`<p class="muted">No screenshot${typeof shot?.omitted === 'string' ? html`: ${shot.omitted}` : ''}.</p>`
    : html`<img src="data:image/jpeg;base64,${image}" width="640" height="400" style="max-width:100%;height:auto;border:1px solid #888" alt="${`Screenshot of ${url} as a first-time visitor saw it`}">`}
<figcaption>${url}: third parties contacted before consent: ${thirdParties.length === 0 ? 'none' : thirdParties.join(', ')}</figcaption></figure>`;
  const stripped = image === null ? value : { ...value, screenshot: { ...(value as Record<string, Json>)['screenshot'] as Record<string, Json>, base64: '[shown above]' } };
  return { figure, value: stripped };
}
