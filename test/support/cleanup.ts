import { afterAll, afterEach } from 'vitest';

type Closer = () => Promise<unknown> | unknown;
type Cleanup = { defer: (closer: Closer) => void; track: <T extends { close(): unknown }>(thing: T) => T };

/**
 * Registers an afterEach that runs every closer pushed during the test, so servers and sockets opened by a test
 * never outlive it. Returns `defer(closer)` and `track(thing)` for anything with a `close()`.
 */
export function cleanupAfterEach(): Cleanup {
  return cleanupOn(afterEach);
}

/** As `cleanupAfterEach`, for what a file's `beforeAll` starts (an estate and the servers beside it): closed in afterAll. */
export function cleanupAfterAll(): Cleanup {
  return cleanupOn(afterAll);
}

function cleanupOn(hook: (fn: () => Promise<void>) => void): Cleanup {
  const closers: Closer[] = [];
  hook(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });
  return {
    defer: (closer) => { closers.push(closer); },
    track: (thing) => { closers.push(() => thing.close()); return thing; },
  };
}
