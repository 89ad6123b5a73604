/** The `browser:` key (issue 14): visiting pages in headless Chromium as a first-time visitor. */
import type { KeyTable, ValueDefinition } from './types.ts';

export const DEFAULT_BROWSER = { enabled: false, pagesInFlight: 4, pageTimeoutMs: 15_000, executablePath: '/usr/bin/chromium' } as const;

export const BROWSER_KEYS: KeyTable = {
  browser: {
    type: 'mapping', example: { enabled: true, pagesInFlight: 4, pageTimeoutMs: 15000 },
    description: 'Visit each domain\'s home page and `urls:` in headless Chromium, without consent, for the `browser.*` checks (docs/browser.md).',
    keys: {
      enabled: { type: 'boolean', default: DEFAULT_BROWSER.enabled, example: true, description: 'Run the browser checks (`--browser`); off, they are skipped.' },
      pagesInFlight: {
        type: 'integer', min: 1, max: 64, default: DEFAULT_BROWSER.pagesInFlight, example: 4,
        description: 'Pages open at once in the one browser of each worker: each costs a renderer process (~100-200 MB).',
      },
      pageTimeoutMs: {
        type: 'integer', min: 1000, max: 300_000, default: DEFAULT_BROWSER.pageTimeoutMs, example: 15000,
        description: 'Loading a page and waiting for its network to be idle, in milliseconds; a page not loaded by then is an error.',
      },
      executablePath: {
        type: 'string', format: 'path', default: DEFAULT_BROWSER.executablePath, example: '/usr/bin/chromium',
        description: 'The Chromium (or Chrome) executable; Debian: `apt install chromium`.',
      },
    },
  },
};

/** A declared third party of a domain's pages (`thirdParties:` per domain or under `defaults:`). */
export const THIRD_PARTIES: ValueDefinition = {
  type: 'list', default: [], example: [{ host: '*.livechat.example', purpose: 'live chat' }],
  description: 'The third-party hosts the pages may contact before consent, each with its purpose; `browser.third-parties` fails on others.',
  items: {
    type: 'mapping', required: ['host', 'purpose'], description: 'One declared third party.',
    keys: {
      host: { type: 'string', format: 'glob', example: '*.livechat.example', description: 'A host name, exact or with `*` globs (case-insensitive).' },
      purpose: { type: 'string', example: 'live chat', description: 'What it is for, as the privacy statement names it.' },
    },
  },
};
