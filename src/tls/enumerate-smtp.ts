import type net from 'node:net';
import { abortReason } from '../core/deadline.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import type { Endpoint } from '../core/types.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import { dial, type Connect } from './exchange.ts';

/**
 * The SMTP side of an enumeration on an MX (issue 9): every hello costs one SMTP session, banner, EHLO and STARTTLS
 * (RFC 5321 4.1.1.1, RFC 3207 4), and the hello is written after the `220` to STARTTLS. This is the short dialogue
 * of `probes/smtp.ts` without its transcript (that probe's facts are the evidence of the dialogue itself; here only
 * the TLS answers count), with the same caps and the same refusal of bytes pipelined after a reply (RFC 3207 5).
 * TODO(shared): `probes/smtp.ts` could export its `openSession` so that the two share one reader.
 */

const MAX_LINE_BYTES = 2048;
const MAX_REPLY_LINES = 100;
const REPLY_LINE = /^([2-5]\d\d)([ -]|$)/;

/** A `Connect` that dials the MX and returns the socket right after `220` to STARTTLS. */
export function starttlsConnect(endpoint: Endpoint, ehloName: string, runSignal: AbortSignal): Connect {
  if (!/^[A-Za-z0-9.:_[\]-]{1,255}$/.test(ehloName)) throw new TypeError(`invalid EHLO name ${JSON.stringify(ehloName)}`);
  const label = endpointLabel(endpoint);
  return async (signal) => {
    const socket = await dial(endpoint, signal, runSignal);
    try {
      const read = replies(socket, label, signal);
      const banner = await read.next('banner');
      if (banner.code !== 220) {
        const refused = banner.code === 554 || (banner.code >= 400 && banner.code < 500);
        throw new ProbeError(refused ? 'refused' : 'protocol', label, `banner ${banner.text}`, { stage: 'exchange' });
      }
      socket.write(`EHLO ${ehloName}\r\n`);
      const ehlo = await read.next('reply to EHLO');
      if (ehlo.code >= 400 && ehlo.code < 500) throw new ProbeError('refused', label, `EHLO answered ${ehlo.text}`, { stage: 'exchange' });
      const advertised = ehlo.code === 250 && ehlo.lines.slice(1).some((line) => line.trim().toUpperCase().split(' ')[0] === 'STARTTLS');
      if (!advertised) throw new ProbeError('protocol', label, 'STARTTLS is not advertised: no TLS to enumerate');
      socket.write('STARTTLS\r\n');
      const starttls = await read.next('reply to STARTTLS');
      read.detach();
      if (starttls.code !== 220) {
        const temporary = starttls.code >= 400 && starttls.code < 500 && starttls.code !== 454;
        throw new ProbeError(temporary ? 'refused' : 'protocol', label, `STARTTLS answered ${starttls.text}`, { stage: 'exchange' });
      }
      return socket;
    } catch (err) {
      socket.on('error', () => {});
      socket.destroy();
      throw err;
    }
  };
}

type Reply = { readonly code: number; readonly lines: readonly string[]; readonly text: string };

/** RFC 5321 4.2.1 replies from `socket`, any split, capped; nothing may follow a final line before our next command. */
function replies(socket: net.Socket, label: string, signal: AbortSignal) {
  let buffered: Buffer = Buffer.alloc(0);
  let lines: string[] = [];
  let code = 0;
  let what = 'reply';
  let failure: Error | null = null;
  let waiter: { resolve(reply: Reply): void; reject(err: Error): void } | null = null;
  const fail = (err: Error) => {
    failure ??= err;
    const w = waiter;
    waiter = null;
    w?.reject(failure);
  };
  const pump = () => {
    while (waiter && !failure) {
      const newline = buffered.indexOf(0x0a);
      if (newline === -1 ? buffered.length >= MAX_LINE_BYTES : newline + 1 > MAX_LINE_BYTES) {
        return fail(new ProbeError('protocol', label, `${what}: a line longer than ${MAX_LINE_BYTES} bytes`));
      }
      if (newline === -1) return;
      const raw = buffered.subarray(0, newline).toString('latin1').replace(/\r$/, '');
      buffered = buffered.subarray(newline + 1);
      const match = REPLY_LINE.exec(raw);
      if (!match || lines.length >= MAX_REPLY_LINES || (lines.length > 0 && Number(match[1]) !== code)) {
        return fail(new ProbeError('protocol', label, `${what}: malformed reply line ${JSON.stringify(raw.slice(0, 80))}`));
      }
      code = Number(match[1]);
      lines.push(raw.slice(4));
      if (match[2] === '-') continue;
      if (buffered.length > 0) return fail(new ProbeError('protocol', label, `${what}: ${buffered.length} unexpected bytes after the reply`));
      const reply: Reply = { code, lines, text: `${code} ${lines.join(' / ')}`.slice(0, 300) };
      const w = waiter;
      waiter = null;
      lines = [];
      w.resolve(reply);
    }
  };
  const onData = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    pump();
  };
  const onEnd = () => fail(new ProbeError('protocol', label, `server closed the connection before the ${what}`));
  const onError = (err: Error) => fail(toProbeError(err, label));
  const onAbort = () => fail(abortReason(signal));
  socket.on('data', onData).once('end', onEnd).once('close', onEnd).on('error', onError);
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    next(next: string): Promise<Reply> {
      what = next;
      if (failure) return Promise.reject(failure);
      return new Promise<Reply>((resolve, reject) => {
        waiter = { resolve, reject };
        pump();
      });
    },
    detach() {
      socket.pause(); // the hello's reader resumes it; nothing may be read and lost in between
      socket.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError);
      socket.on('error', () => {});
      signal.removeEventListener('abort', onAbort);
    },
  };
}
