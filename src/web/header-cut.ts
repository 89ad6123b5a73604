import { MAX_HEADER_VALUE_CHARS, TRUNCATION_MARK } from '../probes/types.ts';

/** True when the HTTP probe cut the value at its per-value cap: what follows the cut was never seen. */
export function wasCut(value: string): boolean {
  return value.length > MAX_HEADER_VALUE_CHARS && value.endsWith(TRUNCATION_MARK);
}
