/**
 * A function's results remembered for the `limit` most recently used distinct keys (the least recently used is
 * dropped first, so a hot input, an MX host's certificate asked by every domain that uses it, stays). For pure,
 * costly readings that several checks repeat on the same input within a run (a certificate's extensions, an issuer's
 * key parts), without keeping every input of a 100,000-domain scan in memory. A `compute` that throws is not kept.
 */
export function boundedMemo<K, V>(limit: number, compute: (key: K) => V): (key: K) => V {
  const remembered = new Map<K, V>();
  return (key) => {
    if (remembered.has(key)) {
      // Map order is recency: moved to the end on every use, the first key is the least recently used.
      const value = remembered.get(key)!;
      remembered.delete(key);
      remembered.set(key, value);
      return value;
    }
    const value = compute(key);
    if (remembered.size >= limit) remembered.delete(remembered.keys().next().value as K);
    remembered.set(key, value);
    return value;
  };
}
