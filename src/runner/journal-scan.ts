import type { FileHandle } from 'node:fs/promises';
import { JournalFormatError } from './journal-errors.ts';
import { MAX_LINE_BYTES, parseJournalLine, type JournalEnd, type JournalHeader, type JournalResume } from './journal-format.ts';

/** A record's state in JournalIndex.states. */
export const MISSING = 0;
export const INCOMPLETE = 1;
export const COMPLETE = 2;

const CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * One sequential pass over a journal, kept compact: for each domain index, its state and the offset and length (no
 * newline) of the line that holds it: the last complete record, else the last incomplete one. 13 bytes a domain.
 */
export type JournalIndex = {
  readonly header: JournalHeader;
  readonly resumes: readonly JournalResume[];
  /** The last end line, unless a resume came after it (the run was taken up again and has not ended since). */
  readonly end: JournalEnd | null;
  readonly states: Uint8Array;
  readonly offsets: Float64Array;
  readonly lengths: Uint32Array;
  /** Domains with a complete record, each counted once however many lines it has. */
  readonly domainsDone: number;
  /** Where the last valid line ends (its newline included): the journal's length. */
  readonly validBytes: number;
  readonly fileBytes: number;
  /** Why the journal ends before the file does (a line cut mid-write, a damaged line), or null. */
  readonly damage: string | null;
};

type Line = { readonly offset: number; readonly bytes: Buffer | null; readonly terminated: boolean; readonly length: number };

/**
 * Builds the index of the journal open in `handle`. Throws JournalFormatError when its first line is not a whole run
 * line. Stops at the first line that is cut, too long or invalid (everything after it is discarded by a resume, so
 * a reader must not see it either). `verifyRecords`: parse every domain line (resume) or only its head (reports).
 */
export async function scanJournal(handle: FileHandle, path: string, verifyRecords: boolean): Promise<JournalIndex> {
  const fileBytes = (await handle.stat()).size;
  let header: JournalHeader | null = null;
  const resumes: JournalResume[] = [];
  let end: JournalEnd | null = null;
  let states = new Uint8Array(0);
  let offsets = new Float64Array(0);
  let lengths = new Uint32Array(0);
  let domainsDone = 0;
  let validBytes = 0;
  let damage: string | null = null;
  for await (const line of splitLines(handle)) {
    const where = `the line at byte ${line.offset}`;
    if (!line.terminated) { damage = `${where} was cut mid-write (${line.length} bytes, no newline)`; break; }
    if (!line.bytes) { damage = `${where} is longer than ${MAX_LINE_BYTES} bytes`; break; }
    const parsed = parseJournalLine(line.bytes, verifyRecords);
    if (!header) {
      if (parsed.kind === 'newer-format') throw new JournalFormatError(path, `is of journal format ${parsed.format}, written by a newer Vouch`);
      if (parsed.kind !== 'run') throw new JournalFormatError(path, `is not a Vouch run journal: its first line is ${parsed.kind === 'invalid' ? parsed.why : `a ${parsed.kind} line`}`);
      header = parsed.header;
      states = new Uint8Array(header.domains);
      offsets = new Float64Array(header.domains);
      lengths = new Uint32Array(header.domains);
    } else if (parsed.kind === 'domain') {
      const { index } = parsed;
      if (index >= header.domains) { damage = `${where} is a record of domain #${index}, beyond the run's ${header.domains}`; break; }
      // A complete record is never replaced by an incomplete one; otherwise the later line wins.
      if (parsed.complete || states[index] !== COMPLETE) {
        if (parsed.complete && states[index] !== COMPLETE) domainsDone++;
        states[index] = parsed.complete ? COMPLETE : INCOMPLETE;
        offsets[index] = line.offset;
        lengths[index] = line.length;
      }
    } else if (parsed.kind === 'resume') {
      resumes.push(parsed.resume);
      end = null;
    } else if (parsed.kind === 'end') {
      end = parsed.end;
    } else if (parsed.kind !== 'other') {
      damage = `${where} is ${parsed.kind === 'invalid' ? `not a valid journal line (${parsed.why})` : 'a second run line'}`;
      break;
    }
    validBytes = line.offset + line.length + 1;
  }
  if (!header) throw new JournalFormatError(path, fileBytes === 0 ? 'is empty' : 'has no whole first line: the run stopped before its journal was started');
  return { header, resumes, end, states, offsets, lengths, domainsDone, validBytes, fileBytes, damage };
}

/**
 * The file's lines in order, read in 1 MiB chunks (never the whole file). A line within one chunk is a view of it;
 * one spanning chunks is joined. A line over MAX_LINE_BYTES is reported with `bytes: null` and ends the split, as does
 * a last line without a newline (`terminated: false`).
 */
async function* splitLines(handle: FileHandle): AsyncGenerator<Line> {
  let position = 0;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let lineStart = 0;
  for (;;) {
    // A fresh buffer each read: yielded lines and carried pieces are views of it and must stay valid.
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
    if (bytesRead === 0) break;
    const chunk = buffer.subarray(0, bytesRead);
    const chunkStart = position;
    position += bytesRead;
    let from = 0;
    for (let newline = chunk.indexOf(NEWLINE, from); newline !== -1; newline = chunk.indexOf(NEWLINE, from)) {
      const length = carryBytes + newline - from;
      if (length > MAX_LINE_BYTES) { yield { offset: lineStart, bytes: null, terminated: true, length }; return; }
      const bytes = carryBytes === 0 ? chunk.subarray(from, newline) : Buffer.concat([...carry, chunk.subarray(from, newline)], length);
      yield { offset: lineStart, bytes, terminated: true, length };
      carry = [];
      carryBytes = 0;
      from = newline + 1;
      lineStart = chunkStart + from;
    }
    if (from < bytesRead) {
      carryBytes += bytesRead - from;
      if (carryBytes > MAX_LINE_BYTES) { yield { offset: lineStart, bytes: null, terminated: true, length: carryBytes }; return; }
      carry.push(chunk.subarray(from, bytesRead));
    }
  }
  if (carryBytes > 0) yield { offset: lineStart, bytes: null, terminated: false, length: carryBytes };
}
