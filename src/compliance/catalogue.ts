import type { ControlRef } from '../../reports/types.ts';
import { globToRegExp } from '../config/names.ts';

/**
 * One promise from a privacy or security statement. `automated` promises are judged by checks; `manual` ones need a
 * person's attestation, and any checks they list can only disprove them (a fail still makes them `not-met`).
 */
export type PromiseDefinition = {
  /** Stable, lowercase kebab-case: checks and dashboards key on it. */
  readonly id: string;
  readonly title: string;
  /** The clause as the statement words it (Dutch for the built-in catalogue), quoted exactly. */
  readonly clauseNl: string;
  /** An English rendering for auditors who do not read Dutch. */
  readonly clauseEn: string;
  readonly kind: 'automated' | 'manual';
  /**
   * Check ids (exact, or `*` globs) that evidence this promise besides the checks that name it in their own
   * `promises`. Empty in the built-in catalogue, since each check declares its promises: one place, no drift.
   */
  readonly checks: readonly string[];
  readonly controls: readonly ControlRef[];
  /** RFCs, national guidelines or laws the promise is judged against. */
  readonly standards: readonly string[];
};

/** A set of promises: the built-in one from the statement, or one the user defines in the config. */
export type Catalogue = { readonly name: string; readonly promises: readonly PromiseDefinition[] };

const ISO = 'ISO/IEC 27001:2022';

/**
 * The ISO/IEC 27001:2022 Annex A controls the built-in catalogue cites, with their titles. Each id and title was
 * checked against published copies of the 2022 Annex A list, not recalled: the 2013 numbering differs entirely
 * (A.10.1.1 became A.8.24), and a plausible-looking wrong id would mislead an auditor.
 */
const ANNEX_A = {
  'A.5.14': 'Information transfer',
  'A.5.15': 'Access control',
  'A.5.16': 'Identity management',
  'A.5.17': 'Authentication information',
  'A.5.24': 'Information security incident management planning and preparation',
  'A.5.26': 'Response to information security incidents',
  'A.5.30': 'ICT readiness for business continuity',
  'A.5.34': 'Privacy and protection of PII',
  'A.6.1': 'Screening',
  'A.6.2': 'Terms and conditions of employment',
  'A.6.6': 'Confidentiality or non-disclosure agreements',
  'A.6.8': 'Information security event reporting',
  'A.7.2': 'Physical entry',
  'A.8.2': 'Privileged access rights',
  'A.8.3': 'Information access restriction',
  'A.8.5': 'Secure authentication',
  'A.8.7': 'Protection against malware',
  'A.8.8': 'Management of technical vulnerabilities',
  'A.8.13': 'Information backup',
  'A.8.15': 'Logging',
  'A.8.16': 'Monitoring activities',
  'A.8.20': 'Networks security',
  'A.8.21': 'Security of network services',
  'A.8.24': 'Use of cryptography',
} as const;

const annexA = (...ids: readonly (keyof typeof ANNEX_A)[]): ControlRef[] =>
  ids.map((id) => ({ framework: ISO, id, title: ANNEX_A[id] }));

const NCSC_TLS = 'NCSC-NL ICT-beveiligingsrichtlijnen voor Transport Layer Security (TLS)';

type Entry = Omit<PromiseDefinition, 'checks'>;
const automated = (e: Omit<Entry, 'kind'>): PromiseDefinition => ({ ...e, kind: 'automated', checks: [] });
const manual = (e: Omit<Entry, 'kind'>): PromiseDefinition => ({ ...e, kind: 'manual', checks: [] });

/**
 * The promises of the privacy statement (shared/statement/privacy-statement-nl.txt), in the statement's order of the
 * security measures. The ids of promises checks already evidence are those of docs/promise-ids.md.
 */
export const BUILT_IN_CATALOGUE: Catalogue = {
  name: 'privacy-statement-nl',
  promises: [
    automated({
      id: 'transport-encryption', title: 'Data is sent over HTTPS (TLS)',
      clauseNl: "Wij versturen uw gegevens via een beveiligde internetverbinding. Dit kunt u zien aan de adresbalk 'https' en het hangslotje in de adresbalk.",
      clauseEn: "We send your data over a secure internet connection. You can see this from 'https' and the padlock in the address bar.",
      controls: annexA('A.8.24', 'A.5.14', 'A.8.21'),
      standards: ['RFC 8446 (TLS 1.3)', 'RFC 8996 (TLS 1.0 and 1.1 deprecated)', 'RFC 6797 (HSTS)', 'RFC 5280 (certificates)', NCSC_TLS],
    }),
    automated({
      id: 'mail-transport-encryption', title: 'E-mail is encrypted in transit with STARTTLS',
      clauseNl: 'Voor e-mail hanteren wij STARTTLS voor versleuteling',
      clauseEn: 'For e-mail we use STARTTLS for encryption.',
      controls: annexA('A.8.24', 'A.5.14', 'A.8.21'),
      standards: ['RFC 3207 (SMTP STARTTLS)', 'RFC 8461 (MTA-STS)', 'RFC 8460 (SMTP TLS reporting)', 'RFC 7672 (DANE for SMTP)', NCSC_TLS],
    }),
    manual({
      id: 'monitoring-24x7', title: 'Systems are screened 24/7 for improper activity',
      clauseNl: '24/7 screening van de systemen op oneigenlijke activiteiten door externe partijen',
      clauseEn: '24/7 screening of the systems for improper activity by external parties.',
      controls: annexA('A.8.16'), standards: [],
    }),
    manual({
      id: 'incident-recovery', title: 'Systems are restored quickly after incidents',
      clauseNl: 'Spoedig herstel van de door BaseNet gebruikte systemen/software bij incidenten',
      clauseEn: 'Prompt recovery of the systems and software BaseNet uses after incidents.',
      controls: annexA('A.5.26', 'A.5.30', 'A.8.13'), standards: [],
    }),
    manual({
      id: 'stored-document-encryption', title: 'Stored documents are encrypted',
      clauseNl: 'Versleuteling (encryptie) van opgeslagen documenten',
      clauseEn: 'Encryption of stored documents.',
      controls: annexA('A.8.24'), standards: [],
    }),
    manual({
      id: 'log-files', title: 'Systems keep log files',
      clauseNl: 'Logfiles op de door BaseNet gebruikte computersystemen',
      clauseEn: 'Log files on the computer systems BaseNet uses.',
      controls: annexA('A.8.15'), standards: [],
    }),
    manual({
      // Outside checks show some of it (no software versions disclosed, security headers) but cannot prove
      // up-to-date software or firewalls, so a person attests it and a failing check disproves it.
      id: 'infrastructure-security', title: 'Infrastructure is secured with up-to-date software and firewalls',
      clauseNl: 'Beveiliging van de algehele digitale infrastructuur van BaseNet (up-to-date beveiligingssoftware op de door BaseNet gebruikte systemen en gebruik van firewalls)',
      clauseEn: "Security of BaseNet's entire digital infrastructure (up-to-date security software on the systems BaseNet uses, and firewalls).",
      controls: annexA('A.8.20', 'A.8.8', 'A.8.7'), standards: [],
    }),
    manual({
      id: 'vulnerability-testing', title: 'Periodic vulnerability scans and penetration tests',
      clauseNl: 'Periodieke vulnerability scans en penetratietests om mogelijke zwakheden te detecteren',
      clauseEn: 'Periodic vulnerability scans and penetration tests to detect possible weaknesses.',
      controls: annexA('A.8.8'), standards: [],
    }),
    automated({
      id: 'mail-anti-spoofing', title: 'DKIM, SPF and DMARC protect against mail forged in our name',
      clauseNl: 'DKIM, SPF en DMARC zijn drie internetstandaarden die wij gebruiken om te voorkomen dat u uit onze naam e-mails ontvangt die virussen bevatten, spam zijn of bedoelt zijn om persoonlijke (inlog)gegevens te bemachtigen.',
      clauseEn: 'DKIM, SPF and DMARC are three internet standards we use to prevent you from receiving e-mail in our name that contains viruses, is spam, or is meant to obtain personal (login) details.',
      controls: annexA('A.5.14', 'A.8.21'),
      standards: ['RFC 7208 (SPF)', 'RFC 6376 (DKIM)', 'RFC 7489 (DMARC)'],
    }),
    manual({
      id: 'confidentiality-agreements', title: 'Employment and consultancy contracts bind to confidentiality',
      clauseNl: 'Ten aanzien van geheimhoudingsverplichtingen is in elk arbeidscontract van BaseNet, evenals eventuele externe consultants een uitgebreide bepaling opgenomen om de geheimhouding te waarborgen.',
      clauseEn: 'As to confidentiality obligations, every BaseNet employment contract, as well as those of any external consultants, contains an extensive clause to safeguard confidentiality.',
      controls: annexA('A.6.6', 'A.6.2'), standards: [],
    }),
    manual({
      id: 'staff-screening', title: 'All staff hold a certificate of conduct (VOG)',
      clauseNl: 'Ook beschikken alle BaseNet medewerkers over een VOG',
      clauseEn: 'All BaseNet employees also hold a certificate of conduct (VOG, Verklaring Omtrent het Gedrag).',
      controls: annexA('A.6.1'), standards: [],
    }),
    manual({
      id: 'personal-admin-accounts', title: 'Administration uses personal accounts',
      clauseNl: 'Voor het beheer van de omgeving wordt gebruik gemaakt van persoonsgebonden accounts',
      clauseEn: 'The environment is administered with personal (non-shared) accounts.',
      controls: annexA('A.5.16', 'A.8.2'), standards: [],
    }),
    manual({
      id: 'datacentre-access', title: 'Data-centre access is restricted to a few staff with passport and key card',
      clauseNl: 'Toegang tot de datacenters van BaseNet locaties waarvandaan het fysiek beheer wordt gepleegd is strikt voorbehouden aan enkele medewerkers van BaseNet die enkel toegang verkrijgen met paspoort en sleutelpas.',
      clauseEn: 'Access to the BaseNet data centres from which physical administration is carried out is strictly reserved for a few BaseNet employees, who gain access only with a passport and a key card.',
      controls: annexA('A.7.2'), standards: [],
    }),
    manual({
      id: 'logical-access', title: 'Logical access is restricted to specific staff',
      clauseNl: 'Logische toegang tot de BaseNet locaties is voorbehouden aan specifieke medewerkers binnen BaseNet.',
      clauseEn: 'Logical access to the BaseNet locations is reserved for specific BaseNet employees.',
      controls: annexA('A.5.15', 'A.8.3'), standards: [],
    }),
    manual({
      id: 'software-accounts', title: 'Software access uses personal accounts with username and password',
      clauseNl: 'Toegang tot de software van BaseNet is beveiligd met persoonsgebonden accounts voorzien van een gebruikersnaam en wachtwoord.',
      clauseEn: "Access to BaseNet's software is secured with personal accounts that have a username and password.",
      controls: annexA('A.5.16', 'A.5.17', 'A.8.5'), standards: [],
    }),
    manual({
      id: 'crm-2fa-ip-filtering', title: 'CRM users can use two-factor authentication and IP filtering',
      clauseNl: 'Elke gebruiker van BaseNet CRM heeft een mogelijkheid tot twee-factor-authenticatie en IP-filtering.',
      // "heeft een mogelijkheid tot": the promise is that the option exists, not that it is enforced.
      clauseEn: 'Every BaseNet CRM user has the option of two-factor authentication and IP filtering.',
      controls: annexA('A.8.5'), standards: [],
    }),
    manual({
      id: 'audit-trail', title: 'Every data entry is logged in an unlimited audit trail',
      clauseNl: 'Alle data invoer wordt gelogd middels een onbeperkte audit trail waarmee te achterhalen valt wie/wat/wanneer heeft gemuteerd.',
      clauseEn: 'All data entry is logged in an unlimited audit trail that shows who changed what, and when.',
      controls: annexA('A.8.15'), standards: [],
    }),
    automated({
      id: 'cookie-use', title: 'Only technical, functional and privacy-friendly analytical cookies',
      clauseNl: 'BaseNet gebruikt alleen technische en functionele cookies. En analytische cookies die geen inbreuk maken op uw privacy.',
      clauseEn: 'BaseNet uses only technical and functional cookies, and analytical cookies that do not infringe your privacy.',
      controls: annexA('A.5.34'),
      standards: ['RFC 6265 (HTTP cookies)', 'Telecommunicatiewet art. 11.7a (cookies)'],
    }),
    automated({
      id: 'security-contact', title: 'Security concerns can be reported',
      clauseNl: 'Als u de indruk heeft dat uw gegevens niet goed beveiligd zijn of er zijn aanwijzingen van misbruik, neem dan contact op met onze klantenservice of via avg@basenet.nl.',
      clauseEn: 'If you have the impression that your data is not properly secured, or there are signs of misuse, contact our customer service or avg@basenet.nl.',
      controls: annexA('A.6.8', 'A.5.24'),
      standards: ['RFC 9116 (security.txt)'],
    }),
  ],
};

/**
 * Combines the built-in catalogue with the user's. `replace` uses only the user's promises. `extend` keeps the
 * built-in ones, lets a user promise with the same id replace the built-in one whole (in its place, so the report
 * order stays familiar), and appends new ones. Whole replacement rather than a field merge: a half-inherited promise
 * (our Dutch clause, their checks) would quote a text its owner never wrote.
 */
export function mergeCatalogues(builtIn: Catalogue, user: Catalogue, mode: 'replace' | 'extend'): Catalogue {
  if (mode === 'replace') return { name: user.name, promises: [...user.promises] };
  const overrides = new Map(user.promises.map((p) => [p.id, p]));
  const kept = builtIn.promises.map((p) => overrides.get(p.id) ?? p);
  const builtInIds = new Set(builtIn.promises.map((p) => p.id));
  const added = user.promises.filter((p) => !builtInIds.has(p.id));
  return { name: `${builtIn.name}+${user.name}`, promises: [...kept, ...added] };
}

const PROMISE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Every problem with a catalogue at once (for config validation): duplicate or malformed ids, empty texts, and check
 * references that match no known check id. Returns [] for a sound catalogue.
 */
export function catalogueProblems(catalogue: Catalogue, knownCheckIds: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, p] of catalogue.promises.entries()) {
    const where = `promises[${i}] (${p.id || 'no id'})`;
    if (!PROMISE_ID.test(p.id)) problems.push(`${where}: id must be lowercase kebab-case`);
    if (seen.has(p.id)) problems.push(`${where}: duplicate id`);
    seen.add(p.id);
    if (!p.title.trim()) problems.push(`${where}: title is empty`);
    if (!p.clauseNl.trim() && !p.clauseEn.trim()) problems.push(`${where}: needs the clause it quotes (clauseNl or clauseEn)`);
    for (const ref of p.checks) {
      if (!knownCheckIds.some((id) => globToRegExp(ref).test(id))) problems.push(`${where}: check "${ref}" matches no known check`);
    }
  }
  return problems;
}
