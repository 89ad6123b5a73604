/**
 * The shape of a TLS policy file (`policies/*.yaml`, or a user's profile of the same shape) and its validator.
 * Like the configuration (src/config/load.ts), validation never stops at the first problem: every problem is
 * listed at once as `path: what is wrong`, and unknown keys are errors.
 *
 * Every section is an ordered list of rules plus a default: the first rule whose `match` fits decides the class,
 * else the default does. Each rule names the clause of its source it comes from, and `source` says which of the
 * file's `references` backs it (`unverified` where none could be found).
 */
import {
  checkKeys, describeType, join, readInteger, readList, readMapping, readString, type Problems,
} from '../config/fields.ts';
import {
  AUTHENTICATIONS, CIPHER_MODES, CIPHERS, KEY_EXCHANGES, MACS, POLICY_CLASSES, PROTOCOL_VERSIONS,
  type Authentication, type Cipher, type CipherMode, type GroupInfo, type KeyExchange, type Mac, type PolicyClass,
  type ProtocolVersion, type SignatureSchemeInfo,
} from './types.ts';

export const POLICY_KINDS = ['ncsc', 'allow-list'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** The `source` of a rule that no readable source backs. */
export const UNVERIFIED = 'unverified';

export const GROUP_KINDS = ['ec', 'ffdhe', 'hybrid-pq', 'pq'] as const satisfies readonly GroupInfo['kind'][];
export const CERTIFICATE_KEY_TYPES = ['rsa', 'ecdsa', 'ed25519', 'ed448', 'dsa'] as const;
export type CertificateKeyType = (typeof CERTIFICATE_KEY_TYPES)[number];
export const HASHES = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'intrinsic'] as const satisfies readonly SignatureSchemeInfo['hash'][];
export type HashName = (typeof HASHES)[number];

/** What a rule decides, and where that decision comes from. */
export type Verdict = { readonly class: PolicyClass; readonly clause: string; readonly source: string };
export type Rule<M> = Verdict & { readonly match: M };
export type Section<M> = { readonly rules: readonly Rule<M>[]; readonly default: Verdict };

export type VersionMatch = { readonly versions?: readonly ProtocolVersion[] };
/** Every given condition must hold; a list holds when any of its entries does. `names` are IANA or OpenSSL names. */
export type SuiteMatch = {
  readonly names?: readonly string[];
  readonly kx?: readonly KeyExchange[];
  readonly auth?: readonly Authentication[];
  readonly cipher?: readonly Cipher[];
  readonly mode?: readonly CipherMode[];
  readonly mac?: readonly Mac[];
  readonly minBits?: number;
  readonly maxBits?: number;
  readonly export?: boolean;
  readonly tls13?: boolean;
};
export type GroupMatch = { readonly names?: readonly string[]; readonly kinds?: readonly GroupInfo['kind'][]; readonly minBits?: number; readonly maxBits?: number };
/** `names` are RFC 7919 group names (ffdhe2048...); `wellKnown: false` matches a prime that is none of them. */
export type DhMatch = { readonly names?: readonly string[]; readonly wellKnown?: boolean; readonly minBits?: number; readonly maxBits?: number };
export type KeyMatch = { readonly types?: readonly CertificateKeyType[]; readonly curves?: readonly string[]; readonly minBits?: number; readonly maxBits?: number };
export type HashMatch = { readonly hashes?: readonly HashName[] };

export type PolicySource = {
  readonly title: string; readonly publisher: string | null; readonly version: string; readonly date: string;
  readonly url: string; readonly note: string | null;
};
export type PolicyReference = { readonly title: string; readonly url: string };
export type PolicyOrder = {
  /** The server must choose by its own order rather than the client's. */
  readonly serverPreferenceRequired: boolean;
  /** Its order must put higher classes first (NCSC: good and sufficient before phase-out). */
  readonly preferHigherClass: boolean;
  readonly clause: string;
  readonly source: string;
};

/** Issue 10: whether a policy requires, forbids or leaves open one TLS feature, and where that comes from. */
export type PolicyFeatureRule = { readonly expect: 'required' | 'forbidden' | 'optional'; readonly clause: string; readonly source: string };
/** TLS features a policy may rule on (`hygiene:` in the file); a feature it does not name is judged by its RFC alone. */
export const HYGIENE_FEATURES = ['secureRenegotiation', 'compression', 'extendedMasterSecret', 'zeroRtt'] as const;
export type HygieneFeature = (typeof HYGIENE_FEATURES)[number];
/** Features only a policy can forbid or leave open: requiring one (0-RTT: replayable early data) makes no sense. */
const NEVER_REQUIRED: readonly HygieneFeature[] = ['zeroRtt'];
/**
 * Client-initiated renegotiation (CVE-2011-1473): forbidden, limited to `maxPerConnection` on one connection, or
 * left open. `maxPerConnection` is null unless `expect` is `limited`.
 */
export type PolicyRenegotiationRule = {
  readonly expect: 'forbidden' | 'limited' | 'optional'; readonly maxPerConnection: number | null; readonly clause: string; readonly source: string;
};
export type PolicyHygiene = { readonly [F in HygieneFeature]?: PolicyFeatureRule } & { readonly clientRenegotiation?: PolicyRenegotiationRule };
/**
 * The most renegotiations a `limited` rule may allow: the probe (src/probes/tls-renegotiation.ts) tries 11 on one
 * connection, so "more than the limit" is seen only for limits below that; a larger limit could never fail.
 * test/tls/policy.test.ts keeps the two in step.
 */
export const MAX_RENEGOTIATION_LIMIT = 10;

export type Policy = {
  readonly id: string;
  readonly title: string;
  readonly version: string;
  readonly kind: PolicyKind;
  readonly source: PolicySource;
  readonly references: Readonly<Record<string, PolicyReference>>;
  readonly versions: Section<VersionMatch>;
  readonly suites: Section<SuiteMatch>;
  readonly groups: Section<GroupMatch>;
  readonly dh: Section<DhMatch>;
  readonly certificates: { readonly keys: Section<KeyMatch>; readonly signatureHashes: Section<HashMatch> };
  /** The hash of the TLS 1.2 ServerKeyExchange signature; null where the policy does not judge it (Mozilla). */
  readonly keyExchangeHashes: Section<HashMatch> | null;
  readonly order: PolicyOrder | null;
  /** Rules on TLS features (issue 10); empty when the file has no `hygiene` section. */
  readonly hygiene: PolicyHygiene;
};

const TOP_KEYS = ['id', 'title', 'version', 'kind', 'source', 'references', 'versions', 'suites', 'groups', 'dh', 'certificates', 'keyExchangeHashes', 'order', 'hygiene'];
const REQUIRED_TOP = ['id', 'title', 'version', 'kind', 'source', 'versions', 'suites', 'groups', 'dh', 'certificates'];

/** Validates a parsed policy tree. Problems are `path: what is wrong` (the caller prefixes the file name). */
export function buildPolicy(raw: unknown): { ok: true; policy: Policy } | { ok: false; problems: string[] } {
  const problems: Problems = [];
  const root = readMapping(raw ?? {}, '(top level)', problems) ?? {};
  checkKeys(root, '', TOP_KEYS, problems);
  for (const key of REQUIRED_TOP) if (root[key] === undefined) problems.push(`${key}: required`);

  const id = readString(root['id'], 'id', problems);
  if (id !== undefined && !/^[a-z0-9][a-z0-9._-]*$/.test(id)) problems.push(`id: "${id}" must be lower-case letters, digits, ".", "_" and "-"`);
  const title = readString(root['title'], 'title', problems);
  const version = readText(root['version'], 'version', problems);
  const kind = readEnum(root['kind'], 'kind', POLICY_KINDS, problems);
  const references = readReferences(root['references'], problems);
  const refIds = new Set(Object.keys(references));
  const source = readSource(root['source'], problems);
  const ctx: Ctx = { problems, refIds };

  const versions = readSection(root['versions'], 'versions', ctx, readVersionMatch);
  const suites = readSection(root['suites'], 'suites', ctx, readSuiteMatch);
  const groups = readSection(root['groups'], 'groups', ctx, readGroupMatch);
  const dh = readSection(root['dh'], 'dh', ctx, readDhMatch);
  const certNode = readMapping(root['certificates'], 'certificates', problems) ?? {};
  checkKeys(certNode, 'certificates', ['keys', 'signatureHashes'], problems);
  for (const key of ['keys', 'signatureHashes']) if (root['certificates'] !== undefined && certNode[key] === undefined) problems.push(`certificates.${key}: required`);
  const keys = readSection(certNode['keys'], 'certificates.keys', ctx, readKeyMatch);
  const signatureHashes = readSection(certNode['signatureHashes'], 'certificates.signatureHashes', ctx, readHashMatch);
  const keyExchangeHashes = root['keyExchangeHashes'] === undefined ? null : readSection(root['keyExchangeHashes'], 'keyExchangeHashes', ctx, readHashMatch);
  const order = readOrder(root['order'], ctx);
  const hygiene = readHygiene(root['hygiene'], ctx);

  if (problems.length > 0 || !id || !title || !version || !kind || !source || !versions || !suites || !groups || !dh || !keys || !signatureHashes) {
    return { ok: false, problems: problems.length > 0 ? problems : ['(top level): incomplete policy'] };
  }
  return {
    ok: true,
    policy: { id, title, version, kind, source, references, versions, suites, groups, dh, certificates: { keys, signatureHashes }, keyExchangeHashes: keyExchangeHashes ?? null, order, hygiene },
  };
}

type Ctx = { readonly problems: Problems; readonly refIds: ReadonlySet<string> };
type MatchReader<M> = (node: Record<string, unknown>, path: string, problems: Problems) => M;

/** A version such as `2025-05` or `5.7`: YAML reads an unquoted 5.7 as a number, which is accepted too. */
function readText(value: unknown, path: string, problems: Problems): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return readString(value, path, problems);
}

function readEnum<T extends string>(value: unknown, path: string, allowed: readonly T[], problems: Problems): T | undefined {
  const text = readString(value, path, problems);
  if (text === undefined) return undefined;
  if ((allowed as readonly string[]).includes(text)) return text as T;
  problems.push(`${path}: "${text}" is not one of ${allowed.join(', ')}`);
  return undefined;
}

function readEnumList<T extends string>(value: unknown, path: string, allowed: readonly T[], problems: Problems): T[] | undefined {
  const list = readList(value, path, problems);
  if (!list) return undefined;
  const out: T[] = [];
  list.forEach((item, i) => {
    const v = readEnum(item, join(path, i), allowed, problems);
    if (v !== undefined) out.push(v);
  });
  if (list.length === 0) problems.push(`${path}: must not be empty (leave the key out to match anything)`);
  return out;
}

function readNameList(value: unknown, path: string, problems: Problems): string[] | undefined {
  const list = readList(value, path, problems);
  if (!list) return undefined;
  const out: string[] = [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const text = readString(item, join(path, i), problems);
    if (text === undefined) return;
    if (seen.has(text.toLowerCase())) problems.push(`${join(path, i)}: "${text}" is listed twice`);
    seen.add(text.toLowerCase());
    out.push(text);
  });
  if (list.length === 0) problems.push(`${path}: must not be empty (leave the key out to match anything)`);
  return out;
}

function readBool(value: unknown, path: string, problems: Problems): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  problems.push(`${path}: expected true or false, got ${describeType(value)}`);
  return undefined;
}

function readBits(node: Record<string, unknown>, path: string, problems: Problems): { minBits?: number; maxBits?: number } {
  const minBits = readInteger(node['minBits'], join(path, 'minBits'), problems, 0, 65_536);
  const maxBits = readInteger(node['maxBits'], join(path, 'maxBits'), problems, 0, 65_536);
  if (minBits !== undefined && maxBits !== undefined && minBits > maxBits) problems.push(`${join(path, 'minBits')}: ${minBits} is more than maxBits ${maxBits}`);
  return { ...(minBits !== undefined ? { minBits } : {}), ...(maxBits !== undefined ? { maxBits } : {}) };
}

/** Drops undefined members so the result satisfies exactOptionalPropertyTypes. */
function defined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

const readVersionMatch: MatchReader<VersionMatch> = (node, path, problems) => {
  checkKeys(node, path, ['versions'], problems);
  return defined({ versions: readEnumList(node['versions'], join(path, 'versions'), PROTOCOL_VERSIONS, problems) });
};

const readSuiteMatch: MatchReader<SuiteMatch> = (node, path, problems) => {
  checkKeys(node, path, ['names', 'kx', 'auth', 'cipher', 'mode', 'mac', 'minBits', 'maxBits', 'export', 'tls13'], problems);
  return defined({
    names: readNameList(node['names'], join(path, 'names'), problems),
    kx: readEnumList(node['kx'], join(path, 'kx'), KEY_EXCHANGES, problems),
    auth: readEnumList(node['auth'], join(path, 'auth'), AUTHENTICATIONS, problems),
    cipher: readEnumList(node['cipher'], join(path, 'cipher'), CIPHERS, problems),
    mode: readEnumList(node['mode'], join(path, 'mode'), CIPHER_MODES, problems),
    mac: readEnumList(node['mac'], join(path, 'mac'), MACS, problems),
    ...readBits(node, path, problems),
    export: readBool(node['export'], join(path, 'export'), problems),
    tls13: readBool(node['tls13'], join(path, 'tls13'), problems),
  });
};

const readGroupMatch: MatchReader<GroupMatch> = (node, path, problems) => {
  checkKeys(node, path, ['names', 'kinds', 'minBits', 'maxBits'], problems);
  return defined({
    names: readNameList(node['names'], join(path, 'names'), problems),
    kinds: readEnumList(node['kinds'], join(path, 'kinds'), GROUP_KINDS, problems),
    ...readBits(node, path, problems),
  });
};

const readDhMatch: MatchReader<DhMatch> = (node, path, problems) => {
  checkKeys(node, path, ['names', 'wellKnown', 'minBits', 'maxBits'], problems);
  return defined({
    names: readNameList(node['names'], join(path, 'names'), problems),
    wellKnown: readBool(node['wellKnown'], join(path, 'wellKnown'), problems),
    ...readBits(node, path, problems),
  });
};

const readKeyMatch: MatchReader<KeyMatch> = (node, path, problems) => {
  checkKeys(node, path, ['types', 'curves', 'minBits', 'maxBits'], problems);
  return defined({
    types: readEnumList(node['types'], join(path, 'types'), CERTIFICATE_KEY_TYPES, problems),
    curves: readNameList(node['curves'], join(path, 'curves'), problems),
    ...readBits(node, path, problems),
  });
};

const readHashMatch: MatchReader<HashMatch> = (node, path, problems) => {
  checkKeys(node, path, ['hashes'], problems);
  return defined({ hashes: readEnumList(node['hashes'], join(path, 'hashes'), HASHES, problems) });
};

function readVerdict(node: Record<string, unknown>, path: string, ctx: Ctx): Verdict | undefined {
  const cls = readEnum(node['class'], join(path, 'class'), POLICY_CLASSES, ctx.problems);
  const clause = readString(node['clause'], join(path, 'clause'), ctx.problems);
  const source = readSourceRef(node['source'], join(path, 'source'), ctx);
  if (node['class'] === undefined) ctx.problems.push(`${join(path, 'class')}: required (one of ${POLICY_CLASSES.join(', ')})`);
  if (node['clause'] === undefined) ctx.problems.push(`${join(path, 'clause')}: required (the clause or table of the source this comes from)`);
  if (node['source'] === undefined) ctx.problems.push(`${join(path, 'source')}: required (a key of references, or "${UNVERIFIED}")`);
  return cls && clause && source ? { class: cls, clause, source } : undefined;
}

function readSourceRef(value: unknown, path: string, ctx: Ctx): string | undefined {
  const text = readString(value, path, ctx.problems);
  if (text === undefined) return undefined;
  if (text === UNVERIFIED || ctx.refIds.has(text)) return text;
  ctx.problems.push(`${path}: "${text}" is not a key of references (${[...ctx.refIds].join(', ') || 'none declared'}) nor "${UNVERIFIED}"`);
  return undefined;
}

function readSection<M>(value: unknown, path: string, ctx: Ctx, readMatch: MatchReader<M>): Section<M> | undefined {
  const node = readMapping(value, path, ctx.problems);
  if (!node) return undefined;
  checkKeys(node, path, ['rules', 'default'], ctx.problems);
  const list = readList(node['rules'], join(path, 'rules'), ctx.problems);
  if (node['rules'] === undefined) ctx.problems.push(`${join(path, 'rules')}: required (a list, may be empty)`);
  const rules: Rule<M>[] = [];
  (list ?? []).forEach((item, i) => {
    const rulePath = join(join(path, 'rules'), i);
    const ruleNode = readMapping(item, rulePath, ctx.problems);
    if (!ruleNode) return;
    checkKeys(ruleNode, rulePath, ['match', 'class', 'clause', 'source'], ctx.problems);
    const matchNode = readMapping(ruleNode['match'], join(rulePath, 'match'), ctx.problems);
    if (ruleNode['match'] === undefined) ctx.problems.push(`${join(rulePath, 'match')}: required (the default covers everything else)`);
    const match = matchNode ? readMatch(matchNode, join(rulePath, 'match'), ctx.problems) : undefined;
    if (matchNode && Object.keys(matchNode).length === 0) ctx.problems.push(`${join(rulePath, 'match')}: needs at least one condition (the default covers everything else)`);
    const verdict = readVerdict(ruleNode, rulePath, ctx);
    if (match && verdict) rules.push({ match, ...verdict });
  });
  const defNode = readMapping(node['default'], join(path, 'default'), ctx.problems);
  if (node['default'] === undefined) ctx.problems.push(`${join(path, 'default')}: required (the class of anything no rule matches)`);
  if (defNode) checkKeys(defNode, join(path, 'default'), ['class', 'clause', 'source'], ctx.problems);
  const def = defNode ? readVerdict(defNode, join(path, 'default'), ctx) : undefined;
  return def && list ? { rules, default: def } : undefined;
}

function readSource(value: unknown, problems: Problems): PolicySource | undefined {
  const node = readMapping(value, 'source', problems);
  if (!node) return undefined;
  checkKeys(node, 'source', ['title', 'publisher', 'version', 'date', 'url', 'note'], problems);
  for (const key of ['title', 'version', 'date', 'url']) if (node[key] === undefined) problems.push(`source.${key}: required`);
  const title = readString(node['title'], 'source.title', problems);
  const version = readText(node['version'], 'source.version', problems);
  const date = readText(node['date'], 'source.date', problems);
  const url = readUrl(node['url'], 'source.url', problems);
  const publisher = readString(node['publisher'], 'source.publisher', problems) ?? null;
  const note = readString(node['note'], 'source.note', problems) ?? null;
  return title && version && date && url ? { title, publisher, version, date, url, note } : undefined;
}

function readUrl(value: unknown, path: string, problems: Problems): string | undefined {
  const text = readString(value, path, problems);
  if (text !== undefined && !/^https?:\/\/\S+$/.test(text)) {
    problems.push(`${path}: "${text}" is not an http(s) URL`);
    return undefined;
  }
  return text;
}

function readReferences(value: unknown, problems: Problems): Record<string, PolicyReference> {
  const node = readMapping(value, 'references', problems) ?? {};
  const out: Record<string, PolicyReference> = {};
  for (const [key, item] of Object.entries(node)) {
    const path = join('references', key);
    if (key === UNVERIFIED) problems.push(`${path}: "${UNVERIFIED}" is reserved for rules without a source`);
    const ref = readMapping(item, path, problems);
    if (!ref) continue;
    checkKeys(ref, path, ['title', 'url'], problems);
    const title = readString(ref['title'], join(path, 'title'), problems);
    const url = readUrl(ref['url'], join(path, 'url'), problems);
    if (ref['title'] === undefined) problems.push(`${join(path, 'title')}: required`);
    if (ref['url'] === undefined) problems.push(`${join(path, 'url')}: required`);
    if (title && url) out[key] = { title, url };
  }
  return out;
}

function readOrder(value: unknown, ctx: Ctx): PolicyOrder | null {
  if (value === undefined) return null;
  const node = readMapping(value, 'order', ctx.problems);
  if (!node) return null;
  checkKeys(node, 'order', ['serverPreferenceRequired', 'preferHigherClass', 'clause', 'source'], ctx.problems);
  const required = readBool(node['serverPreferenceRequired'], 'order.serverPreferenceRequired', ctx.problems);
  const higher = readBool(node['preferHigherClass'], 'order.preferHigherClass', ctx.problems);
  const clause = readString(node['clause'], 'order.clause', ctx.problems);
  const source = readSourceRef(node['source'], 'order.source', ctx);
  for (const key of ['serverPreferenceRequired', 'preferHigherClass', 'clause', 'source']) if (node[key] === undefined) ctx.problems.push(`order.${key}: required`);
  return required !== undefined && higher !== undefined && clause && source
    ? { serverPreferenceRequired: required, preferHigherClass: higher, clause, source }
    : null;
}

const EXPECTATIONS = ['required', 'forbidden', 'optional'] as const;

const RENEGOTIATION_EXPECTATIONS = ['forbidden', 'limited', 'optional'] as const;

function readHygiene(value: unknown, ctx: Ctx): PolicyHygiene {
  if (value === undefined) return {};
  const node = readMapping(value, 'hygiene', ctx.problems);
  if (!node) return {};
  checkKeys(node, 'hygiene', [...HYGIENE_FEATURES, 'clientRenegotiation'], ctx.problems);
  const out: { [F in HygieneFeature]?: PolicyFeatureRule } & { clientRenegotiation?: PolicyRenegotiationRule } = {};
  const renegotiation = readRenegotiationRule(node['clientRenegotiation'], ctx);
  if (renegotiation) out.clientRenegotiation = renegotiation;
  for (const feature of HYGIENE_FEATURES) {
    if (node[feature] === undefined) continue;
    const path = `hygiene.${feature}`;
    const rule = readMapping(node[feature], path, ctx.problems);
    if (!rule) continue;
    checkKeys(rule, path, ['expect', 'clause', 'source'], ctx.problems);
    for (const key of ['expect', 'clause', 'source']) if (rule[key] === undefined) ctx.problems.push(`${path}.${key}: required`);
    const allowed = NEVER_REQUIRED.includes(feature) ? EXPECTATIONS.filter((e) => e !== 'required') : EXPECTATIONS;
    const expect = rule['expect'] === undefined ? undefined : readEnum(rule['expect'], `${path}.expect`, allowed, ctx.problems);
    const clause = rule['clause'] === undefined ? undefined : readString(rule['clause'], `${path}.clause`, ctx.problems);
    const source = rule['source'] === undefined ? undefined : readSourceRef(rule['source'], `${path}.source`, ctx);
    if (expect && clause && source) out[feature] = { expect, clause, source };
  }
  return out;
}

/** `hygiene.clientRenegotiation`: `{ expect: limited, maxPerConnection: 10, clause, source }`, or forbidden / optional without a number. */
function readRenegotiationRule(value: unknown, ctx: Ctx): PolicyRenegotiationRule | null {
  if (value === undefined) return null;
  const path = 'hygiene.clientRenegotiation';
  const rule = readMapping(value, path, ctx.problems);
  if (!rule) return null;
  checkKeys(rule, path, ['expect', 'maxPerConnection', 'clause', 'source'], ctx.problems);
  for (const key of ['expect', 'clause', 'source']) if (rule[key] === undefined) ctx.problems.push(`${path}.${key}: required`);
  const expect = rule['expect'] === undefined ? undefined : readEnum(rule['expect'], `${path}.expect`, RENEGOTIATION_EXPECTATIONS, ctx.problems);
  const max = rule['maxPerConnection'] === undefined ? undefined
    : readInteger(rule['maxPerConnection'], `${path}.maxPerConnection`, ctx.problems, 1, MAX_RENEGOTIATION_LIMIT);
  if (expect === 'limited' && rule['maxPerConnection'] === undefined) ctx.problems.push(`${path}.maxPerConnection: required when expect is limited`);
  if (expect !== undefined && expect !== 'limited' && rule['maxPerConnection'] !== undefined) {
    ctx.problems.push(`${path}.maxPerConnection: only allowed when expect is limited (${expect} needs no number)`);
  }
  const clause = rule['clause'] === undefined ? undefined : readString(rule['clause'], `${path}.clause`, ctx.problems);
  const source = rule['source'] === undefined ? undefined : readSourceRef(rule['source'], `${path}.source`, ctx);
  if (!expect || !clause || !source || (expect === 'limited' && max === undefined)) return null;
  return { expect, maxPerConnection: expect === 'limited' ? max! : null, clause, source };
}

/** Every rule (path and clause) whose source is `unverified`: what a reviewer should check against the source. */
export function unverifiedRules(policy: Policy): { path: string; clause: string }[] {
  const out: { path: string; clause: string }[] = [];
  const sections: [string, Section<unknown> | null][] = [
    ['versions', policy.versions], ['suites', policy.suites], ['groups', policy.groups], ['dh', policy.dh],
    ['certificates.keys', policy.certificates.keys], ['certificates.signatureHashes', policy.certificates.signatureHashes],
    ['keyExchangeHashes', policy.keyExchangeHashes],
  ];
  for (const [path, section] of sections) {
    if (!section) continue;
    section.rules.forEach((r, i) => { if (r.source === UNVERIFIED) out.push({ path: `${path}.rules[${i}]`, clause: r.clause }); });
    if (section.default.source === UNVERIFIED) out.push({ path: `${path}.default`, clause: section.default.clause });
  }
  if (policy.order?.source === UNVERIFIED) out.push({ path: 'order', clause: policy.order.clause });
  for (const feature of HYGIENE_FEATURES) {
    const rule = policy.hygiene[feature];
    if (rule?.source === UNVERIFIED) out.push({ path: `hygiene.${feature}`, clause: rule.clause });
  }
  const renegotiation = policy.hygiene.clientRenegotiation;
  if (renegotiation?.source === UNVERIFIED) out.push({ path: 'hygiene.clientRenegotiation', clause: renegotiation.clause });
  return out;
}
