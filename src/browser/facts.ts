/**
 * What one visit of a page in headless Chromium recorded (issue 14): plain JSON, bounded, so that it is a probe fact
 * like any other (cached per run, kept in the journal for replay, an artifact in the JSON report). Pure helpers
 * classify hosts as first- or third-party by registrable domain and find mixed content.
 */
import { getDomain } from 'tldts';

/** The caps that keep one visit's facts bounded whatever a page does; the count of what was left out is kept. */
export const VISIT_LIMITS = {
  cookies: 200, requests: 500, storageOrigins: 50, storageKeysPerOrigin: 100, keyChars: 128, urlChars: 512,
  hosts: 200, withoutIntegrity: 100,
  /** The screenshot: the 1280x800 viewport as JPEG at quality 60; dropped (with a note) past this many bytes. */
  screenshotBytes: 400 * 1024,
} as const;

export type Party = 'first' | 'third';

/** Who set a cookie, where the browser says so: a response's Set-Cookie, or a script writing document.cookie. */
export type CookieSetter = { readonly kind: 'response' | 'script'; readonly url: string };

export type BrowserCookie = {
  readonly name: string;
  readonly domain: string;
  readonly path: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: string | null;
  /** ISO time, or null for a session cookie. */
  readonly expires: string | null;
  readonly session: boolean;
  readonly party: Party;
  readonly setBy: CookieSetter | null;
};

export type BrowserRequest = {
  readonly url: string;
  readonly host: string;
  readonly party: Party;
  /** Chromium's resource type, lower case (`document`, `script`, `stylesheet`, `image`, `xhr`, ...). */
  readonly type: string;
  /** Plain http:// asked from an https:// page. */
  readonly mixedContent: boolean;
  /** Why it failed or was blocked (`net::ERR_...`, `mixed-content`), or null when it was answered. */
  readonly failed: string | null;
};

/** A plain-http subresource of an https page, as Chromium reported it (W3C Mixed Content). */
export type MixedContent = {
  readonly url: string;
  /** Chromium's resource type (`Script`, `Image`, ...). */
  readonly resourceType: string;
  /** `blocked`, `upgraded` (fetched over https instead), or `fetched` over plain http (a warning in the console). */
  readonly resolution: 'blocked' | 'upgraded' | 'fetched';
};

/** The fields of CDP's Audits.MixedContentIssueDetails this reads. */
export type MixedContentIssue = { readonly insecureURL: string; readonly resourceType?: string; readonly resolutionStatus: string };

const RESOLUTIONS: Readonly<Record<string, MixedContent['resolution']>> = {
  MixedContentBlocked: 'blocked', MixedContentAutomaticallyUpgraded: 'upgraded', MixedContentWarning: 'fetched',
};

export function mixedContentOf(issue: MixedContentIssue): MixedContent {
  return { url: capText(issue.insecureURL, VISIT_LIMITS.urlChars), resourceType: issue.resourceType ?? 'unknown', resolution: RESOLUTIONS[issue.resolutionStatus] ?? 'fetched' };
}

/** What the visit's own proxy saw: every host the page's requests reached for, and why one was refused. */
export type ContactedHost = {
  readonly host: string;
  readonly port: number;
  readonly address: string | null;
  readonly refused: string | null;
  readonly connections: number;
};

export type StorageKeys = { readonly origin: string; readonly local: readonly string[]; readonly session: readonly string[] };

/** A third-party script or stylesheet element in the settled page without an `integrity` attribute (SRI). */
export type WithoutIntegrity = { readonly url: string; readonly kind: 'script' | 'style'; readonly host: string };

export type Screenshot =
  | { readonly type: 'image/jpeg'; readonly width: number; readonly height: number; readonly base64: string }
  | { readonly omitted: string };

export type BrowserVisit = {
  readonly url: string;
  readonly finalUrl: string;
  /** The main document's HTTP status, or null when none arrived. */
  readonly status: number | null;
  /** Network idle was reached within the time budget; false: the facts are what the page had done by then. */
  readonly settled: boolean;
  readonly durationMs: number;
  readonly cookies: readonly BrowserCookie[];
  readonly cookiesOmitted: number;
  readonly storage: readonly StorageKeys[];
  readonly requests: readonly BrowserRequest[];
  readonly requestsOmitted: number;
  readonly mixedContent: readonly MixedContent[];
  readonly hosts: readonly ContactedHost[];
  readonly withoutIntegrity: readonly WithoutIntegrity[];
  readonly screenshot: Screenshot;
};

/** A URL's host as the browser sends it: lower case, IPv6 without brackets; '' for what has none (data:, blob:). */
export function hostOfUrl(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  } catch {
    return '';
  }
}

/** The registrable domain (public suffix + 1) of a host; an address or a bare name is its own. */
export function siteOf(host: string): string {
  const h = host.replace(/^\./, '').toLowerCase();
  return getDomain(h) ?? h;
}

/** First-party: the same registrable domain as the page's (so `cdn.example.nl` is first-party to `www.example.nl`). */
export function partyOf(host: string, pageHost: string): Party {
  return host === '' || siteOf(host) === siteOf(pageHost) ? 'first' : 'third';
}

/** A plain-http request made by an https page (W3C Mixed Content §3): fetched or blocked, it is mixed content. */
export function isMixedContent(pageUrl: string, requestUrl: string): boolean {
  return pageUrl.startsWith('https:') && requestUrl.startsWith('http:');
}

export const capText = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}…` : text);
