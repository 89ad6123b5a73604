/**
 * A function's results remembered for the most recent `limit` distinct keys (insertion order; the oldest is dropped
 * first). For pure, costly readings that several checks repeat on the same input within a run (a certificate's
 * extensions, an issuer's key parts), without keeping every input of a 100,000-domain scan in memory.
 */
export function boundedMemo<K, V>(limit: number, compute: (key: K) => V): (key: K) => V {
  const remembered = new Map<K, V>();
  return (key) => {
    if (remembered.has(key)) return remembered.get(key)!;
    const value = compute(key);
    if (remembered.size >= limit) remembered.delete(remembered.keys().next().value as K);
    remembered.set(key, value);
    return value;
  };
}
