import net from 'node:net';
import type tls from 'node:tls';
import { abortReason } from '../core/deadline.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import type { Endpoint } from '../core/types.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import { tlsHandshake } from './tls.ts';
import { probeTlsVersion } from './tls-version.ts';
import type { SmtpFacts, SmtpReply, TlsVersion, TlsVersionFacts } from './types.ts';

// SMTP on port 25 up to and through STARTTLS (RFC 3207), then QUIT; never MAIL, RCPT or DATA. Replies are read as
// RFC 5321 4.2.1 defines them, whatever the fragmentation, with hard caps on every size.

/** Options of one SMTP session. */
export type SmtpProbeOptions = {
  /** The name announced in EHLO/HELO (RFC 5321 4.1.1.1): the scanner's own host name. */
  readonly ehloName: string;
  /** Extra trusted CA certificates (PEM) for the handshake after STARTTLS. */
  readonly ca?: readonly string[];
};

/**
 * Longest reply line accepted, CRLF included. RFC 5321 4.5.3.1.5 says 512; real servers exceed it a little, so four
 * times that, while still stopping a server that streams a line without end.
 */
export const MAX_LINE_BYTES = 2048;
/** Most lines and bytes in one (multi-line) reply; a large EHLO reply has ~20 lines. */
export const MAX_REPLY_LINES = 100;
export const MAX_REPLY_BYTES = 64 * 1024;
/** Transcript caps: lines kept, and characters per line. */
export const MAX_TRANSCRIPT_LINES = 120;
export const MAX_TRANSCRIPT_LINE_CHARS = 512;
/**
 * How long to wait for the reply to QUIT: courtesy only, the facts are complete by then. Short, because the wait is
 * inside the probe's deadline: a second of it turned complete sessions into timeouts on a busy machine (a server that
 * never answers QUIT cost a second per session), and an MTA answers QUIT in milliseconds.
 */
const QUIT_GRACE_MS = 250;

/**
 * One session: banner, EHLO (HELO if EHLO is refused with 5xx), STARTTLS when advertised, the TLS handshake with the
 * MX host name as SNI (the same handshake code as the web checks), then QUIT over TLS.
 * Not advertised, a non-220 reply to STARTTLS, and a failed handshake after 220 are facts, not errors.
 * @throws ProbeError `refused` (nothing listening; 421/554 or any 4xx at the banner; 4xx to EHLO, e.g. greylisting,
 *   with the server's text), `timeout` (no answer before the signal aborted), `protocol` (malformed or oversized
 *   replies, bytes after a reply, a close mid-dialogue), `unreachable`.
 */
export async function probeSmtp(endpoint: Endpoint, options: SmtpProbeOptions, signal: AbortSignal): Promise<SmtpFacts> {
  const label = endpointLabel(endpoint);
  const transcript = createTranscript();
  const socket = await connect(endpoint, label, signal);
  try {
    const plain = converse(socket, label, signal, transcript);
    const session = await openSession(plain, label, options.ehloName);
    const facts = (rest: Pick<SmtpFacts, 'tls' | 'tlsError'>): SmtpFacts => ({
      endpoint: label, hostname: endpoint.hostname, address: endpoint.address, banner: session.banner,
      ehloName: options.ehloName, extensions: session.extensions, starttlsAdvertised: session.starttlsAdvertised,
      starttlsReply: session.starttlsReply, ...rest, transcript: transcript.lines(), observedAt: new Date().toISOString(),
    });
    if (session.starttlsReply?.code !== 220) {
      await quit(plain);
      return facts({ tls: null, tlsError: null });
    }
    plain.detach();
    let upgraded: tls.TLSSocket;
    let result: SmtpFacts;
    try {
      const handshake = await tlsHandshake(endpoint, { socket, ...(options.ca ? { ca: options.ca } : {}) }, signal);
      upgraded = handshake.socket;
      transcript.note(`TLS ${handshake.facts.protocol ?? '?'} ${handshake.facts.cipher ?? ''}`.trim());
      result = facts({ tls: handshake.facts, tlsError: null });
    } catch (err) {
      if (signal.aborted) throw timeoutFrom(signal, label);
      if (!(err instanceof ProbeError)) throw err;
      // RFC 3207 4.1: after a failed negotiation the session is unusable; the failure is the fact.
      transcript.note(`TLS handshake failed: ${err.message}`);
      return facts({ tls: null, tlsError: err.message });
    }
    try {
      await quit(converse(upgraded, label, signal, transcript));
    } finally {
      upgraded.destroy();
    }
    return { ...result, transcript: transcript.lines() };
  } finally {
    socket.destroy();
  }
}

/**
 * The same dialogue as `probeSmtp` up to the `220` to STARTTLS, then one hand-built ClientHello offering only
 * `version` on that connection (`probeTlsVersion`), so legacy versions are tested on the STARTTLS port itself.
 * @throws ProbeError as `probeSmtp`, and `protocol` when STARTTLS is not advertised or not answered with 220
 *   (callers look at `probeSmtp`'s facts first: there is nothing to test).
 */
export async function probeSmtpTlsVersion(
  endpoint: Endpoint, version: TlsVersion, options: Pick<SmtpProbeOptions, 'ehloName'>, signal: AbortSignal,
): Promise<TlsVersionFacts> {
  const label = endpointLabel(endpoint);
  const socket = await startTlsOn(await connect(endpoint, label, signal), endpoint, options.ehloName, signal);
  try {
    return await probeTlsVersion(endpoint, version, signal, { socket });
  } finally {
    socket.destroy();
  }
}

/**
 * Banner, EHLO and STARTTLS on a connected `socket` to `endpoint`; returns the same socket right after the `220` to
 * STARTTLS, with no reader left on it, for a hand-built TLS hello (the version probe, the enumeration: one session
 * per hello). Never sends MAIL, RCPT or DATA. The socket is destroyed when this throws.
 * @throws ProbeError as `probeSmtp`, and `protocol` when STARTTLS is not advertised or not answered with 220.
 */
export async function startTlsOn(socket: net.Socket, endpoint: Endpoint, ehloName: string, signal: AbortSignal): Promise<net.Socket> {
  const label = endpointLabel(endpoint);
  try {
    const plain = converse(socket, label, signal, createTranscript());
    const session = await openSession(plain, label, ehloName);
    if (session.starttlsReply?.code !== 220) {
      await quit(plain);
      const why = session.starttlsReply ? `STARTTLS answered ${replyText(session.starttlsReply)}` : 'STARTTLS is not advertised';
      throw new ProbeError('protocol', label, `${why}: no TLS version can be tested`);
    }
    plain.detach();
    return socket;
  } catch (err) {
    socket.on('error', () => {});
    socket.destroy();
    throw err;
  }
}

type Session = { banner: SmtpReply; extensions: string[]; starttlsAdvertised: boolean; starttlsReply: SmtpReply | null };

/** Banner, EHLO (or HELO) and, when advertised, STARTTLS; stops at its reply. */
async function openSession(talk: Conversation, label: string, ehloName: string): Promise<Session> {
  // RFC 5321 4.1.1.1: a Domain or address literal. Anything else (a CR or LF above all) would inject commands.
  if (!/^[A-Za-z0-9.:_[\]-]{1,255}$/.test(ehloName)) throw new TypeError(`invalid EHLO name ${JSON.stringify(ehloName)}`);
  const banner = await talk.read('banner');
  if (banner.code !== 220) {
    // RFC 5321 3.1: 554 at the banner means "no SMTP service here"; 421 (4.2.3) and other 4xx mean "not now".
    const refused = banner.code === 554 || (banner.code >= 400 && banner.code < 500);
    throw new ProbeError(refused ? 'refused' : 'protocol', label, `banner ${replyText(banner)}`, { stage: 'exchange' });
  }
  talk.send(`EHLO ${ehloName}`);
  const ehlo = await talk.read('reply to EHLO');
  let extensions: string[] = [];
  if (ehlo.code >= 400 && ehlo.code < 500) {
    throw new ProbeError('refused', label, `EHLO answered ${replyText(ehlo)} (temporary: greylisting or a rate limit)`, { stage: 'exchange' });
  } else if (ehlo.code >= 500) {
    // RFC 5321 4.1.1.1 / 3.2: a server without EHLO answers 5xx; HELO has no extensions, so no STARTTLS either.
    talk.send(`HELO ${ehloName}`);
    const helo = await talk.read('reply to HELO');
    if (helo.code !== 250) throw new ProbeError('refused', label, `EHLO and HELO refused: ${replyText(helo)}`, { stage: 'exchange' });
  } else if (ehlo.code === 250) {
    // RFC 5321 4.1.1.1: the first line is the greeting, each further line one ehlo-keyword with its parameters.
    extensions = ehlo.lines.slice(1).map((l) => l.trim().toUpperCase()).filter((l) => l !== '');
  } else {
    throw new ProbeError('protocol', label, `unexpected reply to EHLO: ${replyText(ehlo)}`);
  }
  const starttlsAdvertised = extensions.some((e) => e.split(' ')[0] === 'STARTTLS');
  if (!starttlsAdvertised) return { banner, extensions, starttlsAdvertised, starttlsReply: null };
  talk.send('STARTTLS');
  const starttlsReply = await talk.read('reply to STARTTLS');
  // RFC 3207 4: 454 "TLS not available" is the server's answer (a finding). Any other 4xx (421 closing, 450/451
  // rate limits) says "try later": could not test, as at the banner.
  if (starttlsReply.code >= 400 && starttlsReply.code < 500 && starttlsReply.code !== 454) {
    throw new ProbeError('refused', label, `temporary refusal of STARTTLS: ${replyText(starttlsReply)}`, { stage: 'exchange' });
  }
  return { banner, extensions, starttlsAdvertised, starttlsReply };
}

/** RFC 5321 4.1.1.10: QUIT, and wait briefly for 221; any failure here is ignored (the facts are complete). */
async function quit(talk: Conversation): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    talk.send('QUIT');
    await Promise.race([
      talk.read('reply to QUIT').catch(() => undefined),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, QUIT_GRACE_MS); }),
    ]);
  } finally {
    clearTimeout(timer);
    talk.detach();
  }
}

function connect(endpoint: Endpoint, label: string, signal: AbortSignal): Promise<net.Socket> {
  if (signal.aborted) return Promise.reject(timeoutFrom(signal, label));
  const socket = net.connect({ host: endpoint.address, port: endpoint.dialPort, noDelay: true });
  return new Promise<net.Socket>((resolve, reject) => {
    const settle = (outcome: () => void) => {
      socket.off('connect', onConnect).off('error', onError);
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const onConnect = () => settle(() => resolve(socket));
    const onError = (err: Error) => settle(() => { socket.destroy(); reject(toProbeError(err, label)); });
    const onAbort = () => settle(() => { socket.destroy(); reject(timeoutFrom(signal, label)); });
    socket.once('connect', onConnect).once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The signal's reason when it is a ProbeError (the runner's deadline), else a `timeout` for this endpoint. */
function timeoutFrom(signal: AbortSignal, label: string): ProbeError {
  const reason = abortReason(signal);
  return reason instanceof ProbeError ? reason : new ProbeError('timeout', label, 'no answer before the deadline', { cause: reason });
}

type Transcript = { add(prefix: 'C' | 'S', text: string): void; note(text: string): void; lines(): string[] };

function createTranscript(): Transcript {
  const kept: string[] = [];
  let dropped = 0;
  const push = (line: string) => {
    if (kept.length < MAX_TRANSCRIPT_LINES) {
      kept.push(line.length > MAX_TRANSCRIPT_LINE_CHARS ? `${line.slice(0, MAX_TRANSCRIPT_LINE_CHARS)}...[cut]` : line);
    } else dropped++;
  };
  return {
    add: (prefix, text) => push(`${prefix}: ${text}`),
    note: (text) => push(`* ${printable(text)}`),
    lines: () => (dropped > 0 ? [...kept, `* ${dropped} more lines not kept`] : [...kept]),
  };
}

/** Reply text is untrusted: anything outside printable ASCII is shown as `\xNN` (RFC 5321 2.4: SMTP is ASCII). */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function replyText(reply: SmtpReply): string {
  const text = `${reply.code} ${reply.lines.join(' / ')}`.trim();
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

type Conversation = {
  /** The next complete reply; rejects with a ProbeError on caps, malformed lines, close, error or abort. */
  read(what: string): Promise<SmtpReply>;
  send(command: string): void;
  /** Stops reading, so the socket can be handed to TLS (which takes over its reads) or closed. */
  detach(): void;
};

const REPLY_LINE = /^([2-5]\d\d)(?:([ -])([\s\S]*))?$/;

/** A reply reader on `socket` (plain or TLS), following RFC 5321 4.2.1 for any split of the bytes into chunks. */
function converse(socket: net.Socket, label: string, signal: AbortSignal, transcript: Transcript): Conversation {
  let buffered: Buffer = Buffer.alloc(0);
  let lines: string[] = [];
  let code = 0;
  let replyBytes = 0;
  let what = 'reply';
  let failure: Error | null = null;
  let waiter: { resolve(reply: SmtpReply): void; reject(err: Error): void } | null = null;

  const failWith = (err: Error) => {
    failure ??= err;
    const w = waiter;
    waiter = null;
    w?.reject(failure);
  };
  const violation = (message: string) => {
    failWith(new ProbeError('protocol', label, `${message} (while reading the ${what})`));
    socket.destroy();
  };
  const pump = () => {
    while (waiter && !failure) {
      const newline = buffered.indexOf(0x0a);
      if (newline === -1 ? buffered.length >= MAX_LINE_BYTES : newline + 1 > MAX_LINE_BYTES) {
        return violation(`reply line longer than ${MAX_LINE_BYTES} bytes`);
      }
      if (newline === -1) return;
      // CRLF per RFC 5321 2.3.8; a bare LF is tolerated, as most clients do.
      const raw = buffered.subarray(0, newline).toString('latin1').replace(/\r$/, '');
      buffered = buffered.subarray(newline + 1);
      replyBytes += newline + 1;
      if (lines.length >= MAX_REPLY_LINES || replyBytes > MAX_REPLY_BYTES) {
        return violation(`reply longer than ${MAX_REPLY_LINES} lines or ${MAX_REPLY_BYTES} bytes`);
      }
      const match = REPLY_LINE.exec(raw);
      if (!match) return violation(`malformed reply line "${printable(raw.slice(0, 80))}"`);
      const lineCode = Number(match[1]);
      // RFC 5321 4.2.1: every line of a multi-line reply carries the same code.
      if (lines.length > 0 && lineCode !== code) return violation(`reply code changed from ${code} to ${lineCode} mid-reply`);
      code = lineCode;
      transcript.add('S', printable(raw));
      lines.push(printable(match[3] ?? ''));
      if (match[2] === '-') continue;
      // Nothing may follow a final line before our next command: bytes here are pipelined injection (the STARTTLS
      // plaintext-injection class of attack, RFC 3207 5) or a confused server.
      if (buffered.length > 0) return violation(`${buffered.length} unexpected bytes after the reply`);
      const reply = { code, lines };
      const w = waiter;
      waiter = null;
      lines = [];
      code = 0;
      replyBytes = 0;
      w.resolve(reply);
    }
  };
  const onData = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    if (buffered.length > MAX_REPLY_BYTES) return violation(`more than ${MAX_REPLY_BYTES} unread bytes`);
    pump();
  };
  const onEnd = () => failWith(new ProbeError('protocol', label, `server closed the connection ${waiter ? 'before' : 'after'} the ${what}`));
  const onError = (err: Error) => failWith(toProbeError(err, label));
  const onAbort = () => {
    failWith(timeoutFrom(signal, label));
    socket.destroy();
  };
  const noop = () => {};
  socket.on('data', onData).once('end', onEnd).once('close', onEnd).on('error', onError).on('error', noop);
  signal.addEventListener('abort', onAbort, { once: true });
  socket.once('close', () => signal.removeEventListener('abort', onAbort));

  return {
    read(next) {
      what = next;
      if (failure) return Promise.reject(failure);
      if (signal.aborted) return Promise.reject(timeoutFrom(signal, label));
      return new Promise<SmtpReply>((resolve, reject) => {
        waiter = { resolve, reject };
        pump();
      });
    },
    send(command) {
      transcript.add('C', printable(command));
      if (!failure && !socket.destroyed) socket.write(`${command}\r\n`);
    },
    detach() {
      // The no-op error listener stays: a late reset on a socket we no longer read must not crash the process.
      socket.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError);
      signal.removeEventListener('abort', onAbort);
    },
  };
}
