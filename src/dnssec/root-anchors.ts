import { parseTrustAnchors, type TrustAnchor } from './anchors.ts';

// The text lives in a module of its own: every configuration load reads it, and the parser loads only to validate.
import { IANA_ROOT_ANCHORS_TEXT } from './root-anchors-text.ts';
export { IANA_ROOT_ANCHORS_TEXT } from './root-anchors-text.ts';

/** The IANA root anchors (root-anchors-text.ts), parsed; a broken edit of the text is a programming error and throws. */
export function ianaRootAnchors(): readonly TrustAnchor[] {
  const parsed = parseTrustAnchors(IANA_ROOT_ANCHORS_TEXT, 'root-anchors.ts');
  if (!parsed.ok) throw new Error(`built-in root trust anchors: ${parsed.errors.join('; ')}`);
  return parsed.anchors;
}
