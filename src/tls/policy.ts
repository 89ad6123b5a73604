/**
 * TLS policies as data (issue 9, "Policy as data"): the built-in files in `policies/` (NCSC-NL 2025-05, Mozilla
 * modern / intermediate / old) or a user's YAML/JSON profile of the same shape, loaded and validated, and a pure
 * classifier that gives every suite, group, DH prime, certificate key and hash a class and the clause it comes from.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYamlFile } from '../config/yaml-file.ts';
import {
  buildPolicy, type CertificateKeyType, type DhMatch, type GroupMatch, type HashMatch, type HashName, type KeyMatch,
  type Policy, type Section, type SuiteMatch, type Verdict, type VersionMatch,
} from './policy-schema.ts';
import type { GroupInfo, PolicyClass, ProtocolVersion, SuiteInfo } from './types.ts';

export type { Policy } from './policy-schema.ts';
export { unverifiedRules, UNVERIFIED } from './policy-schema.ts';

export const BUILTIN_POLICIES = ['ncsc-2025-05', 'mozilla-modern', 'mozilla-intermediate', 'mozilla-old'] as const;
export type BuiltinPolicyId = (typeof BUILTIN_POLICIES)[number];
export const POLICY_ALIASES: Readonly<Record<string, BuiltinPolicyId>> = { 'ncsc-2025': 'ncsc-2025-05' };

export type PolicyLoadResult = { ok: true; policy: Policy; file: string } | { ok: false; problems: readonly string[] };

/** The outcome of one classification: the class, the source clause, the rule that decided, and its source. */
export type Classification = {
  readonly class: PolicyClass;
  readonly clause: string;
  /** Path of the deciding rule in the policy file, e.g. `suites.rules[2]` or `groups.default`. */
  readonly rule: string;
  /** A key of the policy's `references`, or `unverified`. */
  readonly source: string;
};

/** Where the built-in policy files are: the package's `policies/`, from `src/tls/` (vitest) or `dist/src/tls/` (built). */
export function policiesDir(): string {
  for (const up of ['../../policies/', '../../../policies/']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(resolve(dir, `${BUILTIN_POLICIES[0]}.yaml`))) return dir;
  }
  return fileURLToPath(new URL('../../policies/', import.meta.url));
}

/** The built-in id a reference names (an id or an alias), or null. */
export function builtinPolicyId(ref: string): BuiltinPolicyId | null {
  if ((BUILTIN_POLICIES as readonly string[]).includes(ref)) return ref as BuiltinPolicyId;
  return POLICY_ALIASES[ref] ?? null;
}

/**
 * Loads a policy by built-in id (`ncsc-2025-05`, alias `ncsc-2025`, `mozilla-modern`, `mozilla-intermediate`,
 * `mozilla-old`) or by the path of a YAML or JSON file (relative to `baseDir`). Never throws for anything in the
 * file: every problem is listed, each prefixed with the file name (and line:col for syntax errors).
 */
export async function loadPolicy(ref: string, baseDir: string = process.cwd()): Promise<PolicyLoadResult> {
  const id = builtinPolicyId(ref);
  const looksLikePath = /[/\\]/.test(ref) || /\.(ya?ml|json)$/i.test(ref);
  if (!id && !looksLikePath) {
    const known = [...BUILTIN_POLICIES, ...Object.keys(POLICY_ALIASES)].join(', ');
    return { ok: false, problems: [`"${ref}" is neither a built-in TLS policy (${known}) nor a path to a .yaml, .yml or .json file`] };
  }
  const file = id ? resolve(policiesDir(), `${id}.yaml`) : resolve(baseDir, ref);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    return { ok: false, problems: [`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`] };
  }
  const result = (id ? compiledPolicy(id, bytes) : null) ?? parsePolicyText(bytes, id ? `${id}.yaml` : ref);
  return result.ok ? { ...result, file } : result;
}

/**
 * A built-in policy as the build compiled it (`npm run build` writes dist/policies/<id>.json: the YAML's tree and
 * the SHA-256 of the YAML it came from), or null when there is none or it is not of these bytes (run from the
 * TypeScript sources, or a policy edited since the build): then the YAML is parsed. Parsing YAML means loading the
 * YAML library, ~90 ms of a one-domain run's start-up (issue 11); the JSON is validated exactly like the YAML.
 */
export function compiledPolicy(id: BuiltinPolicyId, yamlBytes: Uint8Array, dir: string = COMPILED_POLICIES_DIR): PolicyLoadResult | null {
  let compiled: { sha256?: unknown; tree?: unknown };
  try {
    compiled = JSON.parse(readFileSync(resolve(dir, `${id}.json`), 'utf8')) as typeof compiled;
  } catch {
    return null;
  }
  if (compiled.sha256 !== createHash('sha256').update(yamlBytes).digest('hex')) return null;
  return validatePolicy(compiled.tree, `${id}.yaml`);
}

/** Where the build puts the compiled built-in policies: dist/policies/, beside dist/src/. */
const COMPILED_POLICIES_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

/**
 * The build's step (package.json `build`): every built-in policy's YAML, parsed and validated, written as JSON for
 * compiledPolicy. Throws on an invalid built-in policy, which fails the build.
 */
export function compileBuiltinPolicies(dir: string = COMPILED_POLICIES_DIR): string[] {
  return BUILTIN_POLICIES.map((id) => {
    const bytes = readFileSync(resolve(policiesDir(), `${id}.yaml`));
    const parsed = parseYamlFile(bytes, `${id}.yaml`, POLICY_DOCUMENT);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const checked = validatePolicy(parsed.value, `${id}.yaml`);
    if (!checked.ok) throw new Error(checked.problems.join('\n'));
    const target = resolve(dir, `${id}.json`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `${JSON.stringify({ sha256: createHash('sha256').update(bytes).digest('hex'), tree: parsed.value })}\n`);
    return target;
  });
}

const POLICY_DOCUMENT = { noun: 'policy', keys: 'id:, versions:, suites:, ...', maxAliases: 0 } as const;

const builtins = new Map<BuiltinPolicyId, Policy>();

/**
 * A built-in policy, read once per process. The files ship with Vouch and are tested, so a broken one is a bug in
 * Vouch, thrown, not a problem of the user's configuration.
 */
export function builtinPolicy(id: BuiltinPolicyId): Policy {
  let policy = builtins.get(id);
  if (!policy) {
    const bytes = readFileSync(resolve(policiesDir(), `${id}.yaml`));
    const loaded = compiledPolicy(id, bytes) ?? parsePolicyText(bytes, `${id}.yaml`);
    if (!loaded.ok) throw new Error(`built-in TLS policy ${id} is invalid: ${loaded.problems.join('; ')}`);
    builtins.set(id, (policy = loaded.policy));
  }
  return policy;
}

/** Parses and validates the bytes of a policy file; `name` prefixes every problem. */
export function parsePolicyText(bytes: Uint8Array, name: string): PolicyLoadResult {
  const parsed = parseYamlFile(bytes, name, POLICY_DOCUMENT);
  if (!parsed.ok) return parsed;
  const built = buildPolicy(parsed.value);
  return built.ok ? { ok: true, policy: built.policy, file: name } : { ok: false, problems: built.problems.map((p) => `${name}: ${p}`) };
}

/** Validates an already parsed policy tree (e.g. from JSON); `name` prefixes every problem. */
export function validatePolicy(raw: unknown, name: string): PolicyLoadResult {
  const built = buildPolicy(raw);
  return built.ok ? { ok: true, policy: built.policy, file: name } : { ok: false, problems: built.problems.map((p) => `${name}: ${p}`) };
}


// ---------------------------------------------------------------------------------------------------------------
// The classifier: pure functions of (policy, observed value). The first matching rule decides, else the default.

function decide<M, V>(section: Section<M>, path: string, value: V, matches: (m: M, v: V) => boolean): Classification {
  for (const [i, rule] of section.rules.entries()) {
    if (matches(rule.match, value)) return result(rule, `${path}.rules[${i}]`);
  }
  return result(section.default, `${path}.default`);
}

const result = (v: Verdict, rule: string): Classification => ({ class: v.class, clause: v.clause, rule, source: v.source });
const within = (bits: number, m: { readonly minBits?: number; readonly maxBits?: number }) =>
  (m.minBits === undefined || bits >= m.minBits) && (m.maxBits === undefined || bits <= m.maxBits);
const lower = (list: readonly string[]) => list.map((s) => s.toLowerCase());

/** Curve spellings of OpenSSL, NIST and SEC 2 reduced to one (the IANA group name). */
const CURVE_ALIASES: Readonly<Record<string, string>> = {
  prime256v1: 'secp256r1', 'p-256': 'secp256r1', p256: 'secp256r1',
  'p-384': 'secp384r1', p384: 'secp384r1', 'p-521': 'secp521r1', p521: 'secp521r1',
  prime192v1: 'secp192r1', 'p-192': 'secp192r1', 'p-224': 'secp224r1', p224: 'secp224r1',
};
export function normalizeCurve(name: string): string {
  const k = name.trim().toLowerCase();
  return CURVE_ALIASES[k] ?? k;
}

export function classifyVersion(policy: Policy, version: ProtocolVersion): Classification {
  return decide(policy.versions, 'versions', version, (m: VersionMatch, v) => m.versions === undefined || m.versions.includes(v));
}

export function classifySuite(policy: Policy, suite: SuiteInfo): Classification {
  return decide(policy.suites, 'suites', suite, (m: SuiteMatch, s) =>
    (m.names === undefined || lower(m.names).includes(s.name.toLowerCase()) || (s.openssl !== null && lower(m.names).includes(s.openssl.toLowerCase())))
    && (m.kx === undefined || m.kx.includes(s.kx))
    && (m.auth === undefined || m.auth.includes(s.auth))
    && (m.cipher === undefined || m.cipher.includes(s.cipher))
    && (m.mode === undefined || m.mode.includes(s.mode))
    && (m.mac === undefined || m.mac.includes(s.mac))
    && within(s.cipherBits, m)
    && (m.export === undefined || m.export === s.export)
    && (m.tls13 === undefined || m.tls13 === s.tls13));
}

export function classifyGroup(policy: Policy, group: GroupInfo): Classification {
  return decide(policy.groups, 'groups', group, (m: GroupMatch, g) =>
    (m.names === undefined || lower(m.names).map(normalizeCurve).includes(normalizeCurve(g.name)))
    && (m.kinds === undefined || m.kinds.includes(g.kind))
    && within(g.bits, m));
}

/** A DHE prime by its size and, when it is one, the name of its well-known group (`ffdhe2048`, ...; else null). */
export function classifyDhPrime(policy: Policy, bits: number, wellKnownName: string | null): Classification {
  return decide(policy.dh, 'dh', { bits, name: wellKnownName }, (m: DhMatch, p) =>
    (m.names === undefined || (p.name !== null && lower(m.names).includes(p.name.toLowerCase())))
    && (m.wellKnown === undefined || m.wellKnown === (p.name !== null))
    && within(p.bits, m));
}

export type CertificateKey = { readonly type: CertificateKeyType; readonly bits: number; readonly curve?: string | null };

export function classifyCertificateKey(policy: Policy, key: CertificateKey): Classification {
  return decide(policy.certificates.keys, 'certificates.keys', key, (m: KeyMatch, k) =>
    (m.types === undefined || m.types.includes(k.type))
    && (m.curves === undefined || (k.curve != null && m.curves.map(normalizeCurve).includes(normalizeCurve(k.curve))))
    && within(k.bits, m));
}

/** The hash of a certificate signature. */
export function classifySignatureHash(policy: Policy, hash: HashName): Classification {
  return decide(policy.certificates.signatureHashes, 'certificates.signatureHashes', hash, (m: HashMatch, h) => m.hashes === undefined || m.hashes.includes(h));
}

/** The hash of the TLS 1.2 ServerKeyExchange signature; null when the policy does not judge it (Mozilla's). */
export function classifyKeyExchangeHash(policy: Policy, hash: HashName): Classification | null {
  if (!policy.keyExchangeHashes) return null;
  return decide(policy.keyExchangeHashes, 'keyExchangeHashes', hash, (m: HashMatch, h) => m.hashes === undefined || m.hashes.includes(h));
}

/** Issue 9: insufficient fails, phase-out warns, sufficient and good pass. */
export function verdictOf(cls: PolicyClass): 'pass' | 'warn' | 'fail' {
  return cls === 'insufficient' ? 'fail' : cls === 'phase-out' ? 'warn' : 'pass';
}

const RANK: Readonly<Record<PolicyClass, number>> = { good: 3, sufficient: 2, 'phase-out': 1, insufficient: 0 };
/** The worst of several classes (insufficient < phase-out < sufficient < good); `good` for none. */
export function worstClass(classes: Iterable<PolicyClass>): PolicyClass {
  let worst: PolicyClass = 'good';
  for (const c of classes) if (RANK[c] < RANK[worst]) worst = c;
  return worst;
}
/** Compares classes for sorting or order checks: negative when `a` is worse than `b`. */
export const compareClass = (a: PolicyClass, b: PolicyClass): number => RANK[a] - RANK[b];

/** The policy as evidence cites it: which profile, which version of it, and where it is published. */
export function policyEvidence(policy: Policy): { id: string; title: string; version: string; url?: string } {
  return { id: policy.id, title: policy.title, version: policy.version, ...(policy.source.url ? { url: policy.source.url } : {}) };
}
