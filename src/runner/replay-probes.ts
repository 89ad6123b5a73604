import type { RecordedFact } from '../core/domain-record.ts';
import type { Json } from '../core/types.ts';
import { ProbeError } from '../core/errors.ts';
import type { Probes } from '../probes/types.ts';
import { decode, factValue, FactCodecError } from './fact-codec.ts';
import { PROBE_KINDS } from './probe-kinds/index.ts';
import { probesOver, type ProbeRegistry, type ProbesOf, type ProbeTracker } from './probe-kinds/kind.ts';

/**
 * Probes that answer from a recorded scan (issue 11, `vouch replay`): each call by its key, with the recorded value
 * (decoded by the fact codec) or the recorded failure thrown as the same class (a ProbeError with the same reason,
 * endpoint, stage and message). Never opens a socket. A call whose key was not recorded, or whose record cannot be
 * read, is `client-limitation`: the replay cannot know that answer, and says so instead of guessing.
 */
export function createReplayProbes(facts: readonly RecordedFact[], track?: ProbeTracker): Probes;
export function createReplayProbes<R extends ProbeRegistry>(facts: readonly RecordedFact[], track: ProbeTracker | undefined, kinds: R): ProbesOf<R>;
export function createReplayProbes(facts: readonly RecordedFact[], track?: ProbeTracker, kinds: ProbeRegistry = PROBE_KINDS): ProbesOf<ProbeRegistry> {
  const recorded = new Map(facts.map((fact) => [fact.key, fact]));
  // Decoded once per key, as the live cache answers every caller with the same value.
  const answers = new Map<string, Promise<unknown>>();
  return probesOver(kinds, (kind, args) => {
    const key = kind.key(...args);
    let answer = answers.get(key);
    if (!answer) {
      answer = answerOf(recorded.get(key), key);
      answer.catch(() => undefined); // rejected for whoever awaits it, never unhandled
      answers.set(key, answer);
    }
    track?.(key, answer);
    return answer;
  });
}

async function answerOf(fact: RecordedFact | undefined, key: string): Promise<unknown> {
  if (!fact) throw new ProbeError('client-limitation', 'replay', `not in the recorded scan: ${key}`);
  try {
    return factValue(fact);
  } catch (err) {
    if (err instanceof FactCodecError) throw new ProbeError('client-limitation', 'replay', `the recorded answer cannot be read: ${key}: ${err.message}`);
    throw err;
  }
}

/**
 * The artifacts (the report's raw evidence) of recorded facts, as the scan made them: each value through its kind's
 * `artifact`. A journal may keep only the facts and derive these when reports are written (for most kinds the
 * artifact is the value itself, so keeping both doubles that part of every journal line). Failures have none.
 */
export function recordedArtifacts(facts: readonly RecordedFact[], kinds: ProbeRegistry = PROBE_KINDS): Record<string, Json> {
  const artifacts: Record<string, Json> = {};
  for (const fact of facts) {
    if (!('value' in fact)) continue;
    const kind = Object.hasOwn(kinds, fact.kind) ? kinds[fact.kind] : undefined;
    const value = decode(fact.value);
    artifacts[fact.key] = kind?.artifact ? kind.artifact(value) : value as Json;
  }
  return artifacts;
}
