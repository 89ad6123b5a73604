import type { Json } from '../core/types.ts';

/**
 * Per-run memo of probe promises. Stores promises, so concurrent callers share one in-flight probe, and keeps
 * failures for the run, so one unreachable host costs one timeout rather than one per check.
 */
export class ProbeCache {
  readonly #entries = new Map<string, Promise<unknown>>();
  readonly #artifacts = new Map<string, Json>();

  /** `toArtifact` reduces the value to what the report keeps as raw evidence (JSON, bounded). */
  get<T>(key: string, load: () => Promise<T>, toArtifact: (value: T) => Json = (v) => v as Json): Promise<T> {
    const hit = this.#entries.get(key);
    if (hit) return hit as Promise<T>;
    const pending = load().then((value) => {
      this.#artifacts.set(key, toArtifact(value));
      return value;
    });
    pending.catch(() => undefined); // a failure is reported by whoever awaits it; never an unhandled rejection
    this.#entries.set(key, pending);
    return pending;
  }

  /** Raw facts by key, sorted, for the report. */
  artifacts(): Record<string, Json> {
    return Object.fromEntries([...this.#artifacts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  get size(): number {
    return this.#entries.size;
  }
}
