import { createRequire } from 'node:module';
import type { Document } from 'yaml';

/**
 * The YAML library, loaded on the first file parsed rather than at start-up: it is 27 modules and ~55 ms of CPU
 * (issue 11's start-up budget), and a scan without a configuration file parses no YAML at all (the built-in TLS
 * policies are compiled to JSON by the build: src/tls/policy.ts). `require`, because the callers are synchronous;
 * the package is CommonJS for Node.
 */
let yamlLibrary: typeof import('yaml') | undefined;
const yaml = (): typeof import('yaml') => (yamlLibrary ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

export type YamlFileResult = { ok: true; value: unknown } | { ok: false; problems: string[] };

/** What kind of document a file holds, for the problems: `a ${noun} is a mapping of keys (${keys})`. */
export type YamlDocumentKind = {
  readonly noun: string;
  readonly keys: string;
  /** Alias expansions allowed (0: aliases are refused). */
  readonly maxAliases: number;
};

/**
 * The bytes of a YAML (or JSON) file that must hold one mapping (the configuration, a TLS profile) as plain data,
 * or every problem with the file's text, each as `file:line:col: what`: bad encoding, YAML syntax (tabs, unclosed
 * brackets, ...), duplicate keys, unknown tags, aliases without an anchor, alias bombs, keys that are not scalars,
 * several documents, a top level that is not a mapping. Never throws for anything in the file.
 */
export function parseYamlFile(bytes: Uint8Array, path: string, kind: YamlDocumentKind): YamlFileResult {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, problems: [`${path}:1:1: the file is UTF-16 encoded; save it as UTF-8`] };
  }
  const invalid = invalidUtf8Offsets(bytes, 10);
  if (invalid.length > 0) {
    return { ok: false, problems: invalid.map((offset) => `${path}:${bytePosition(bytes, offset)}: invalid UTF-8 (byte 0x${bytes[offset]!.toString(16).padStart(2, '0')}); save the file as UTF-8`) };
  }
  const text = new TextDecoder('utf-8').decode(bytes); // drops a leading byte-order mark
  const { isAlias, isCollection, isMap, isPair, LineCounter, parseDocument, visit } = yaml();
  const lineCounter = new LineCounter();
  const at = (offset: number | undefined) => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return `${path}:${line}:${col}`;
  };
  let doc: Document.Parsed;
  try {
    // logLevel 'error': the library's own warnings become problems below instead of process warnings on stderr.
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  } catch (err) {
    return { ok: false, problems: [`${path}: cannot parse: ${firstLine(err)}`] };
  }
  const problems = [...doc.errors, ...doc.warnings].map((e) => `${at(e.pos[0])}: ${yamlMessage(e.code, e.message, kind.noun)}`);
  let aliases = 0;
  let firstAlias: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      aliases++;
      firstAlias ??= node.range?.[0];
      if (node.resolve(doc) === undefined) problems.push(`${at(node.range?.[0])}: alias *${node.source} has no anchor &${node.source} before it`);
    },
    Pair(_key, pair) {
      if (isPair(pair) && (isCollection(pair.key) || isAlias(pair.key))) {
        const range = (pair.key as { range?: [number, number, number] }).range;
        problems.push(`${at(range?.[0])}: a key must be a plain word or string, not a list, mapping or alias`);
      }
    },
  });
  if (problems.length > 0) return { ok: false, problems: [...new Set(problems)] };
  if (doc.contents !== null && !isMap(doc.contents)) {
    const what = isCollection(doc.contents) ? 'a list' : 'a single value';
    return { ok: false, problems: [`${at(doc.contents.range?.[0])}: a ${kind.noun} is a mapping of keys (${kind.keys}), not ${what}`] };
  }
  if (aliases > 0 && kind.maxAliases === 0) return { ok: false, problems: [`${at(firstAlias)}: a ${kind.noun} may not use YAML aliases`] };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: aliases > 0 ? kind.maxAliases : -1 }) };
  } catch (err) {
    const bomb = /alias count/i.test(String((err as Error | null)?.message));
    return { ok: false, problems: [bomb
      ? `${at(firstAlias)}: aliases expand to more than ${kind.maxAliases} copies (a YAML "billion laughs" alias bomb?)`
      : `${at(firstAlias)}: cannot read the document: ${firstLine(err)}`] };
  }
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';

/** The library's messages, in the user's terms where they name library functions. */
function yamlMessage(code: string, message: string, noun: string): string {
  if (code === 'MULTIPLE_DOCS') return `more than one YAML document (a "---" or "..." line starts another); a ${noun} is one document`;
  if (code === 'DUPLICATE_KEY') return 'duplicate key: each key may appear once in a mapping';
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

/** Offsets of the first `max` bytes that do not start or continue a valid UTF-8 sequence (RFC 3629 section 4). */
export function invalidUtf8Offsets(bytes: Uint8Array, max: number): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length && out.length < max) {
    const b = bytes[i]!;
    let need = 0;
    let min = 0;
    if (b < 0x80) { i++; continue; }
    if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; } else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; } else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; } else { out.push(i); i++; continue; }
    let cp = b & (0x3f >> need);
    let k = 1;
    for (; k <= need && i + k < bytes.length && (bytes[i + k]! & 0xc0) === 0x80; k++) cp = (cp << 6) | (bytes[i + k]! & 0x3f);
    // One problem per bad sequence: the lead byte and the continuation bytes that follow it.
    if (k <= need || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) out.push(i);
    i += k;
  }
  return out;
}

/** `line:col` (1-based, columns in characters) of a byte offset. */
function bytePosition(bytes: Uint8Array, offset: number): string {
  const lineStart = offset === 0 ? 0 : bytes.lastIndexOf(0x0a, offset - 1) + 1;
  const line = bytes.subarray(0, offset).reduce((n, b) => n + (b === 0x0a ? 1 : 0), 1);
  const col = [...new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset))].length + 1;
  return `${line}:${col}`;
}
