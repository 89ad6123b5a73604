import type { KeyTable, ValueDefinition } from './types.ts';

const text = (description: string, example?: string): ValueDefinition => ({ type: 'string', description, ...(example ? { example } : {}) });
const date = (description: string, example: string): ValueDefinition => ({ type: 'string', format: 'date', description, example });

/**
 * One promise, as written in `promises.list` and in a catalogue file (`promises.file`, and the shipped
 * catalogue/privacy-statement-nl.json): the same keys in both, so an entry can be moved from one to the other.
 */
export const PROMISE_ENTRY: ValueDefinition = {
  type: 'mapping', required: ['id'], description: 'One promise of the statement.',
  keys: {
    id: { type: 'string', example: 'mail-tls-only', description: 'Stable lower-case kebab-case id; checks, attestations and dashboards refer to it.' },
    title: text('A short title for the report (default: the id).', 'Mail only over TLS'),
    clause: text('The clause exactly as the statement words it.', 'Wij accepteren e-mail alleen via TLS.'),
    clauseEn: text('An English rendering of the clause, for auditors who do not read its language.', 'We accept mail only over TLS.'),
    kind: {
      type: 'enum', values: ['automated', 'manual'], default: 'automated', example: 'automated',
      description: '`automated`: judged by checks; `manual`: needs an attestation (checks it lists can only disprove it).',
    },
    checks: {
      type: 'list', items: { type: 'string', format: 'glob', description: 'A check id or a `*` glob.' }, default: [], example: ['mail.starttls*'],
      description: 'Checks that evidence the promise, besides those that name it in their own `promises`.',
    },
    standards: { type: 'list', items: text('One standard.'), default: [], example: ['RFC 3207 (SMTP STARTTLS)'], description: 'RFCs, guidelines or laws the promise is judged against.' },
    controls: {
      type: 'list', default: [], description: 'Controls of a framework the promise maps to (ISO/IEC 27001:2022 Annex A in the shipped catalogue).',
      items: {
        type: 'mapping', required: ['framework', 'id', 'title'], description: 'One control.',
        keys: {
          framework: text('The framework, e.g. `ISO/IEC 27001:2022`.', 'ISO/IEC 27001:2022'),
          id: text('The control id in that framework, e.g. `A.8.24`.', 'A.8.24'),
          title: text('The control title as the framework words it.', 'Use of cryptography'),
        },
      },
    },
    note: text('A remark for whoever maintains the catalogue (why the promise is read this way); not shown in reports.', 'Checked on every MX host.'),
  },
};

/** A catalogue file: the shipped catalogue/privacy-statement-nl.json, or a user's copy named by `promises.file`. */
export const CATALOGUE_FILE: ValueDefinition = {
  type: 'mapping', required: ['name', 'promises'], description: 'A promise catalogue.',
  keys: {
    name: text('The catalogue\'s name, shown in reports.'),
    description: text('What the catalogue is: which statement it quotes, and where that is published.'),
    promises: { type: 'list', items: PROMISE_ENTRY, description: 'The promises, in the statement\'s order (the report\'s order).' },
  },
};

export const COMPLIANCE_KEYS: KeyTable = {
  waivers: {
    type: 'list', default: [],
    example: [{ domain: '*.example.nl', check: 'http.csp', reason: 'CSP rollout, ticket SEC-12', owner: 'web team', expires: '2027-03-31' }],
    description: 'Findings accepted until a date: reported as `waived`, they do not set the exit code; expired or unused waivers are listed.',
    items: {
      type: 'mapping', required: ['domain', 'check', 'reason', 'owner', 'expires'], description: 'One accepted finding.',
      keys: {
        domain: { type: 'string', format: 'glob', example: '*.example.nl', description: 'The domain, exact or a `*` glob (`*.example.nl`).' },
        check: { type: 'string', format: 'glob', example: 'http.csp', description: 'The check id, exact or a `*` glob (`tls.*`).' },
        reason: text('Why the finding is accepted (a ticket, a plan).', 'CSP rollout, ticket SEC-12'),
        owner: text('Who answers for it.', 'web team'),
        expires: date('The last day it applies (YYYY-MM-DD, through that day UTC) or an ISO date-time.', '2027-03-31'),
      },
    },
  },
  attestations: {
    type: 'list', default: [],
    example: [{ promise: 'crm-2fa-ip-filtering', by: 'J. Jansen (CISO)', date: '2026-10-01', evidence: 'https://intranet.example/2fa', expires: '2027-10-01' }],
    description: 'A person vouching for a manual promise that cannot be seen from outside.',
    items: {
      type: 'mapping', required: ['promise', 'by', 'date', 'evidence', 'expires'], description: 'One attestation.',
      keys: {
        promise: text('The id of a `manual` promise in the catalogue.', 'crm-2fa-ip-filtering'),
        by: text('Who attests, with their role.', 'J. Jansen (CISO)'),
        date: date('When they attested (YYYY-MM-DD).', '2026-10-01'),
        evidence: text('Where the evidence is (a URL or document reference).', 'https://intranet.example/2fa'),
        expires: date('When the attestation lapses (YYYY-MM-DD or an ISO date-time).', '2027-10-01'),
      },
    },
  },
  promises: {
    type: 'mapping', example: { mode: 'extend', name: 'ours', file: 'promises.yaml' },
    description: 'Your own promise catalogue, on top of the shipped one (`extend`) or instead of it (`replace`).',
    keys: {
      mode: {
        type: 'enum', values: ['extend', 'replace'], default: 'extend', example: 'extend',
        description: '`extend`: your promises replace shipped ones with the same id and add the rest; `replace`: only yours count.',
      },
      name: { type: 'string', default: 'user', example: 'ours', description: 'The name of your catalogue, shown in reports (a `file` names its own).' },
      file: {
        type: 'string', format: 'path', example: 'promises.yaml',
        description: 'A catalogue file (YAML or JSON, the shape of the shipped catalogue/privacy-statement-nl.json): start from a copy of it.',
      },
      list: {
        type: 'list', items: PROMISE_ENTRY, default: [],
        example: [{ id: 'mail-tls-only', title: 'Mail only over TLS', clause: 'We accept mail only over TLS', checks: ['mail.starttls*'] }],
        description: 'Promises written in the configuration itself, after those of `file`.',
      },
    },
  },
  signing: {
    type: 'mapping', example: { privateKeyFile: 'vouch-ed25519.pem' },
    description: 'Sign every report with Ed25519 (without it, reports carry a digest only).',
    keys: {
      privateKeyFile: {
        type: 'string', format: 'path', example: 'vouch-ed25519.pem',
        description: 'An unencrypted Ed25519 private key in PEM (`openssl genpkey -algorithm ed25519`), checked when the configuration is loaded.',
      },
    },
  },
};
