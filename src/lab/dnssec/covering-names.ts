import { lowerName, MAX_LABEL_OCTETS, MAX_NAME_OCTETS, wireLength, type Name } from '../../dnssec/name.ts';

/**
 * The names around one name in canonical order (RFC 4034 6.1), for RFC 4470 "minimally covering" NSEC records made
 * on the fly: an NSEC from `before(n)` to `after(n)` spans `n` and its descendants and (almost) nothing else, so an
 * online signer denies a name without knowing the zone's other names (a zone it synthesizes cannot list them).
 *
 * Both stay siblings of `n` (same parent, another first label): a validator finds the closest encloser as the
 * deepest ancestor an NSEC's owner or next name shares with the name (RFC 4592 3.3.1), so a next name below `n`
 * (RFC 4470's `\000.n`) would say `n` exists, and an owner elsewhere would name another encloser. Pure.
 */

const LOWEST = 0x00;
const HIGHEST = 0xff;

/**
 * A name just before `n`: its first label with the last octet lowered by one and padded with 0xff up to the label
 * limit, so that no label of the same parent lies between it and `n`'s. Only the owner's own (nonsensical)
 * descendants lie between; RFC 4470 2's exact predecessor would add 0xff labels up to 255 octets for those.
 */
export function nameBefore(n: Name): Name {
  const lower = lowerName(n);
  const [first, ...parent] = lower;
  if (!first) return lower; // the root has no predecessor: callers never deny it
  const last = first[first.length - 1]!;
  if (last === LOWEST) return [first.subarray(0, -1), ...parent].filter((label) => label.length > 0);
  let lowered = last - 1;
  // RFC 4034 6.1 compares folded to lower case: an upper-case letter would sort after `n`; '@' sorts before them all.
  if (lowered >= 0x41 && lowered <= 0x5a) lowered = 0x40;
  const room = Math.min(MAX_LABEL_OCTETS, MAX_NAME_OCTETS - (wireLength(lower) - first.length));
  const label = Buffer.alloc(Math.max(first.length, room), HIGHEST);
  first.copy(label, 0, 0, first.length - 1);
  label[first.length - 1] = lowered;
  return [label, ...parent];
}

/** The first name after `n` and all its descendants: `n`'s first label with a zero octet appended (or raised, when full). */
export function nameAfter(n: Name): Name {
  const lower = lowerName(n);
  const [first, ...parent] = lower;
  if (!first) return lower;
  if (first.length < MAX_LABEL_OCTETS && wireLength(lower) < MAX_NAME_OCTETS) return [Buffer.concat([first, Buffer.from([LOWEST])]), ...parent];
  // A full label: raise its last octet below 0xff and cut what follows; all 0xff: past the parent's last child.
  for (let i = first.length - 1; i >= 0; i--) {
    if (first[i]! < HIGHEST) return [Buffer.concat([first.subarray(0, i), Buffer.from([first[i]! + 1])]), ...parent];
  }
  return parent.length > 0 ? nameAfter(parent) : lower;
}

/** RFC 4470 2's immediate successor of `n`, `\000.n`: an NSEC at `n` pointing there spans no other name (NODATA). */
export function nameJustAfter(n: Name): Name {
  const lower = lowerName(n);
  return wireLength(lower) + 2 <= MAX_NAME_OCTETS ? [Buffer.from([LOWEST]), ...lower] : nameAfter(n);
}
