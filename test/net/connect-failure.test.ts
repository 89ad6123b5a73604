import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/core/errors.ts';
import { connectFailure } from '../../src/net/connect-failure.ts';

const errno = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.2:80`), { code });
const running = new AbortController().signal;

describe('connectFailure: only what the destination did is connect-stage evidence', () => {
  it.each([
    ['ECONNREFUSED', 'refused', 'connect'],
    ['ETIMEDOUT', 'timeout', 'connect'],
    ['EMFILE', 'client-limitation', 'exchange'],
    ['ENFILE', 'client-limitation', 'exchange'],
    ['EHOSTUNREACH', 'unreachable', 'exchange'],
    ['ENETUNREACH', 'unreachable', 'exchange'],
    ['EADDRNOTAVAIL', 'unreachable', 'exchange'],
  ])('%s is %s at the %s stage', (code, reason, stage) => {
    expect(connectFailure(errno(code), 'example.nl:80 (127.0.0.2)', running)).toMatchObject({ reason, stage });
  });

  it('counts the socket\'s own connect timer, but not a stopped run', () => {
    const own = new ProbeError('timeout', 'connect example.nl:80 (127.0.0.2)', 'no answer within 400 ms');
    expect(connectFailure(own, 'x', running)).toMatchObject({ reason: 'timeout', stage: 'connect', message: own.message });
    const stopped = new AbortController();
    stopped.abort(own);
    expect(connectFailure(own, 'x', stopped.signal)).toMatchObject({ reason: 'timeout', stage: 'exchange' });
  });
});
