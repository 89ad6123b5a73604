import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { aLabelForm, hostAsWritten, isDomainName, normalizeDomain } from '../config/names.ts';
import { ExitError } from '../core/errors.ts';
import { EXIT } from './exit-codes.ts';
import { printable, type CliIo } from './io.ts';
import { describeFsError } from './output.ts';

/** One domain as an operator may paste it (a URL, an internationalised name), read into the name Vouch scans. */
export type DomainReading =
  | { readonly ok: true; readonly domain: string; readonly note: string | null }
  | { readonly ok: false; readonly problem: string };

/** `https://...`, `smtp://...`: anything with a scheme is read as a URL and only its host is kept. */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Reads one domain: a URL or `name/path` becomes its host, an internationalised name its A-label (xn--) form (UTS 46
 * as `node:url` applies it), upper case and a final dot are dropped silently. What changed beyond that is said in
 * `note`, so the operator sees which name was actually scanned. Total: every input gives a reading.
 */
export function readDomainText(text: string): DomainReading {
  const given = text.trim();
  if (given === '') return { ok: false, problem: 'empty domain name' };
  const { url: isUrl, host } = hostAsWritten(given);
  if (isUrl && !URL.canParse(HAS_SCHEME.test(given) ? given : `http://${given}`)) return { ok: false, problem: `"${given}" is not a domain name or a URL` };
  const notes: string[] = [];
  const aLabel = aLabelForm(host);
  if (aLabel === null) return { ok: false, problem: `"${given}" is not a valid internationalised domain name` };
  if (aLabel !== host) notes.push(`"${host}" is scanned as its A-label form ${aLabel}`);
  const domain = normalizeDomain(aLabel);
  if (!isDomainName(domain)) return { ok: false, problem: `"${given}" is not a domain name` };
  if (isUrl) notes.unshift(`"${given}" is a URL: scanning its host ${domain}`);
  return { ok: true, domain, note: notes.length > 0 ? notes.join('; ') : null };
}

/** The domains of one run's command line and `--input` file, in order, each once. */
export type DomainList = {
  readonly domains: readonly string[];
  /** What was normalised or dropped as a repeat, with where; at most MAX_MESSAGES, the rest counted. */
  readonly notes: readonly string[];
  readonly problems: readonly string[];
};

/** Notes and problems listed before "... and N more": a file of 100,000 URLs must not print 100,000 lines. */
export const MAX_MESSAGES = 20;

/** Where a domain came from: `argument 2`, `domains.txt:14`, `stdin:3`. */
export type DomainSource = { readonly text: string; readonly where: string };

/**
 * Reads every source into one list: names normalised as readDomainText says, repeats dropped with a note naming
 * the first occurrence (two URLs of one site are one domain), invalid names listed with where they are.
 */
export function readDomainSources(sources: Iterable<DomainSource>): DomainList {
  const domains: string[] = [];
  const firstAt = new Map<string, string>();
  const notes = capped('note');
  const problems = capped('problem');
  for (const { text, where } of sources) {
    const reading = readDomainText(text);
    if (!reading.ok) {
      problems.add(`${where}: ${reading.problem}`);
      continue;
    }
    if (reading.note) notes.add(`${where}: ${reading.note}`);
    const first = firstAt.get(reading.domain);
    if (first !== undefined) {
      notes.add(`${where}: ${reading.domain} is already listed (${first}): scanned once`);
      continue;
    }
    firstAt.set(reading.domain, where);
    domains.push(reading.domain);
  }
  return { domains, notes: notes.list(), problems: problems.list() };
}

/** The lines of an input file as sources: `#` starts a comment, blank lines are skipped. */
export function* domainLines(text: string, name: string): Generator<DomainSource> {
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    const content = line.replace(/#.*$/, '').trim();
    if (content !== '') yield { text: content, where: `${name}:${i + 1}` };
  }
}

function capped(noun: string): { add(message: string): void; list(): string[] } {
  const kept: string[] = [];
  let more = 0;
  return {
    add(message) {
      if (kept.length < MAX_MESSAGES) kept.push(message);
      else more++;
    },
    list: () => (more > 0 ? [...kept, `... and ${more} more ${noun}${more === 1 ? '' : 's'} like these`] : kept),
  };
}

/** `--input FILE` (relative to `cwd`) or `-` for standard input, as text; throws with the reason when unreadable. */
export async function readInputText(path: string, cwd: string, stdin: NodeJS.ReadableStream | undefined): Promise<string> {
  if (path !== '-') return readFile(resolve(cwd, path), 'utf8');
  if (!stdin) throw new Error('no standard input');
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin as AsyncIterable<string>) text += chunk;
  return text;
}

/**
 * The domains of `vouch scan`'s command line: the positional ones, then those of `--input` (a file, or `-` for
 * standard input), read and normalised as readDomainSources says; notes go to stderr unless `quiet`. Throws a usage
 * error listing every invalid name with where it is, or naming an input that cannot be read or holds no domain.
 */
export async function commandLineDomains(
  positional: readonly string[], input: string | undefined, io: CliIo, quiet: boolean,
): Promise<string[]> {
  const sources: DomainSource[] = positional.map((text, i) => ({ text, where: `argument ${i + 1}` }));
  if (input !== undefined) {
    const name = input === '-' ? 'stdin' : input;
    let text: string;
    try {
      text = await readInputText(input, io.cwd, io.stdin);
    } catch (err) {
      throw new ExitError(EXIT.usage, `--input ${name}: cannot be read: ${describeFsError(err)}`);
    }
    const before = sources.length;
    sources.push(...domainLines(text, name));
    if (sources.length === before) throw new ExitError(EXIT.usage, `--input ${name}: no domains in it (one a line; # starts a comment)`);
  }
  const list = readDomainSources(sources);
  if (list.problems.length > 0) {
    const count = list.problems.length;
    throw new ExitError(EXIT.usage, [`invalid domain${count === 1 ? '' : 's'} on the command line:`, ...list.problems.map((p) => `  - ${printable(p)}`)].join('\n'));
  }
  if (!quiet) for (const note of list.notes) io.stderr.write(`vouch: note: ${printable(note)}\n`);
  return [...list.domains];
}
