import { afterEach } from 'vitest';

type Closer = () => Promise<unknown> | unknown;

/**
 * Registers an afterEach that runs every closer pushed during the test, so servers and sockets opened by a test
 * never outlive it. Returns `defer(closer)` and `track(thing)` for anything with a `close()`.
 */
export function cleanupAfterEach(): { defer: (closer: Closer) => void; track: <T extends { close(): unknown }>(thing: T) => T } {
  const closers: Closer[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });
  return {
    defer: (closer) => { closers.push(closer); },
    track: (thing) => { closers.push(() => thing.close()); return thing; },
  };
}
