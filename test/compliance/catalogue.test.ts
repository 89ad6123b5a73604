import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.ts';
import { BUILT_IN_CATALOGUE, catalogueProblems, mergeCatalogues, type Catalogue, type PromiseDefinition } from '../../src/compliance/catalogue.ts';

const STATEMENT = new URL('../fixtures/statement/privacy-statement-nl.txt', import.meta.url);
const PROMISE_IDS_DOC = new URL('../../docs/promise-ids.md', import.meta.url);
const squash = (text: string) => text.replace(/\s+/g, ' ');

/**
 * The ISO/IEC 27001:2022 Annex A ids and titles the catalogue may cite, as verified against published copies of the
 * 2022 control list. A new reference must be verified and added here first.
 */
const VERIFIED_ANNEX_A: Readonly<Record<string, string>> = {
  'A.5.14': 'Information transfer', 'A.5.15': 'Access control', 'A.5.16': 'Identity management',
  'A.5.17': 'Authentication information', 'A.5.24': 'Information security incident management planning and preparation',
  'A.5.26': 'Response to information security incidents', 'A.5.30': 'ICT readiness for business continuity',
  'A.5.34': 'Privacy and protection of PII', 'A.6.1': 'Screening', 'A.6.2': 'Terms and conditions of employment',
  'A.6.6': 'Confidentiality or non-disclosure agreements', 'A.6.8': 'Information security event reporting',
  'A.7.2': 'Physical entry', 'A.8.2': 'Privileged access rights', 'A.8.3': 'Information access restriction',
  'A.8.5': 'Secure authentication', 'A.8.7': 'Protection against malware', 'A.8.8': 'Management of technical vulnerabilities',
  'A.8.13': 'Information backup', 'A.8.15': 'Logging', 'A.8.16': 'Monitoring activities', 'A.8.20': 'Networks security',
  'A.8.21': 'Security of network services', 'A.8.24': 'Use of cryptography',
};

const promise = (id: string, extra: Partial<PromiseDefinition> = {}): PromiseDefinition => ({
  id, title: `${id} title`, clauseNl: '', clauseEn: `${id} clause`, kind: 'automated', checks: [], controls: [], standards: [], ...extra,
});

describe('the built-in catalogue', () => {
  const promises = BUILT_IN_CATALOGUE.promises;

  it('quotes every Dutch clause exactly as the statement words it', () => {
    const statement = squash(readFileSync(STATEMENT, 'utf8'));
    for (const p of promises) expect(statement, p.id).toContain(squash(p.clauseNl));
  });

  it('uses the promise ids checks already use (docs/promise-ids.md)', () => {
    const documented = [...readFileSync(PROMISE_IDS_DOC, 'utf8').matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!);
    expect(documented.length).toBeGreaterThanOrEqual(6);
    const ids = promises.map((p) => p.id);
    for (const id of documented) expect(ids).toContain(id);
    for (const check of ALL_CHECKS) for (const id of check.promises) expect(ids, check.id).toContain(id);
  });

  it('is sound: unique kebab-case ids, texts present, no check references to drift', () => {
    expect(catalogueProblems(BUILT_IN_CATALOGUE, ALL_CHECKS.map((c) => c.id))).toEqual([]);
    for (const p of promises) {
      expect(p.clauseNl.length, p.id).toBeGreaterThan(20);
      expect(p.clauseEn.length, p.id).toBeGreaterThan(20);
      expect(p.checks, p.id).toEqual([]);
    }
  });

  it('cites only verified ISO/IEC 27001:2022 Annex A ids, with their exact titles', () => {
    for (const p of promises) {
      expect(p.controls.length, p.id).toBeGreaterThan(0);
      for (const c of p.controls) {
        expect(c.framework).toBe('ISO/IEC 27001:2022');
        expect(VERIFIED_ANNEX_A[c.id], `${p.id} ${c.id}`).toBe(c.title);
      }
    }
  });

  it.each([
    ['transport-encryption', 'automated', 'A.8.24'],
    ['mail-transport-encryption', 'automated', 'A.8.24'],
    ['mail-anti-spoofing', 'automated', 'A.5.14'],
    ['security-contact', 'automated', 'A.6.8'],
    ['infrastructure-security', 'manual', 'A.8.20'],
    ['crm-2fa-ip-filtering', 'manual', 'A.8.5'],
    ['stored-document-encryption', 'manual', 'A.8.24'],
    ['staff-screening', 'manual', 'A.6.1'],
    ['confidentiality-agreements', 'manual', 'A.6.6'],
    ['datacentre-access', 'manual', 'A.7.2'],
    ['audit-trail', 'manual', 'A.8.15'],
    ['log-files', 'manual', 'A.8.15'],
    ['monitoring-24x7', 'manual', 'A.8.16'],
    ['incident-recovery', 'manual', 'A.8.13'],
    ['vulnerability-testing', 'manual', 'A.8.8'],
  ])('%s is %s and maps to %s', (id, kind, control) => {
    const p = promises.find((x) => x.id === id);
    expect(p?.kind).toBe(kind);
    expect(p?.controls.map((c) => c.id)).toContain(control);
  });
});

describe('mergeCatalogues', () => {
  const builtIn: Catalogue = { name: 'built-in', promises: [promise('a'), promise('b'), promise('c')] };
  const user: Catalogue = { name: 'ours', promises: [promise('b', { title: 'our b', checks: ['tls.*'] }), promise('z')] };

  it('replace: only the user promises', () => {
    expect(mergeCatalogues(builtIn, user, 'replace')).toEqual({ name: 'ours', promises: user.promises });
  });

  it('extend: same id replaces in place, new ids are appended', () => {
    const merged = mergeCatalogues(builtIn, user, 'extend');
    expect(merged.promises.map((p) => p.id)).toEqual(['a', 'b', 'c', 'z']);
    expect(merged.promises[1]).toEqual(user.promises[0]);
    expect(merged.name).toBe('built-in+ours');
  });
});

describe('catalogueProblems', () => {
  it('lists every problem at once', () => {
    const bad: Catalogue = {
      name: 'bad',
      promises: [
        promise('Bad_Id'), promise('dup'), promise('dup'), promise('empty', { title: ' ', clauseEn: '' }),
        promise('refs', { checks: ['http.hsts', 'nope.*'] }),
      ],
    };
    expect(catalogueProblems(bad, ['http.hsts', 'tls.certificate-expiry'])).toEqual([
      'promises[0] (Bad_Id): id must be lowercase kebab-case',
      'promises[2] (dup): duplicate id',
      'promises[3] (empty): title is empty',
      'promises[3] (empty): needs the clause it quotes (clauseNl or clauseEn)',
      'promises[4] (refs): check "nope.*" matches no known check',
    ]);
  });
});
