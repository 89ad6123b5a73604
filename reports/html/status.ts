import { REPORT_STATUSES, type PromiseStatus, type ReportStatus } from '../types.ts';
import { html, type Safe } from './markup.ts';

const LABEL: Readonly<Record<ReportStatus, string>> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR', skip: 'SKIP', waived: 'WAIVED' };

/**
 * A shape per status, beside its label: statuses must stay apart on a black-and-white print and for readers who do
 * not see the colours (check, triangle, cross, question mark, circle, diamond: all in DejaVu Sans and system fonts).
 */
const SYMBOL: Readonly<Record<ReportStatus, string>> = { pass: '✓', warn: '▲', fail: '✗', error: '?', skip: '○', waived: '◇' };

const STATE_LABEL: Readonly<Record<PromiseStatus['status'], string>> = {
  'met': 'Met', 'met-with-warnings': 'Met, with warnings', 'not-met': 'Not met', 'not-verified': 'Not verified',
  'not-assessed': 'Not assessed', 'attested': 'Attested', 'unattested': 'Not attested', 'attestation-expired': 'Attestation expired',
};
const STATE_TONE: Readonly<Record<PromiseStatus['status'], ReportStatus>> = {
  'met': 'pass', 'met-with-warnings': 'warn', 'not-met': 'fail', 'not-verified': 'error', 'not-assessed': 'skip',
  'attested': 'pass', 'unattested': 'warn', 'attestation-expired': 'fail',
};

/** A status from the report, or `skip` for anything else: a tampered report cannot inject class names or labels. */
export const tone = (status: string): ReportStatus => (REPORT_STATUSES as readonly string[]).includes(status) ? status as ReportStatus : 'skip';

/** How bad a status is, for "the worst result": a failure outranks "could not test", which outranks a warning. */
const SEVERITY: Readonly<Record<ReportStatus, number>> = { fail: 5, error: 4, warn: 3, waived: 2, pass: 1, skip: 0 };
export const severity = (status: string): number => SEVERITY[tone(status)];

/** Statuses that need someone's attention: what the at-a-glance views single out. */
export const isFinding = (status: string): boolean => status === 'fail' || status === 'error' || status === 'warn';

/** A status shown as shape and word on its colour; `text` replaces the word (e.g. "EXPIRED"). */
export function badge(status: string, text?: string): Safe {
  const t = tone(status);
  return html`<span class="badge st-${t}"><span class="sym" aria-hidden="true">${SYMBOL[t]}</span> ${text ?? LABEL[t]}</span>`;
}

/** A promise's roll-up state as a badge in the tone of the nearest result status. */
export function stateBadge(state: string): Safe {
  const known = Object.hasOwn(STATE_LABEL, state);
  return badge(known ? STATE_TONE[state as PromiseStatus['status']] : 'skip', known ? STATE_LABEL[state as PromiseStatus['status']] : state);
}
