/**
 * Lab sites for the browser probe (issue 14), all on loopback: a clean page, a page that tracks (cookies set by its
 * server, by its own script and by a third-party script, localStorage, an SRI-less third-party script, a plain-http
 * image and script), a page that never finishes loading, and the "third party" itself on a second host name.
 */
import { createHash } from 'node:crypto';
import type { SiteSpec } from './estate.ts';
import type { Route } from './http-server.ts';

/** The third party's host: a live-chat widget (script) and a stylesheet. */
export const WIDGET_HOST = 'cdn.widgets.test';
const CHAT_JS = `document.cookie = 'chat_id=c1; path=/; max-age=3600'; localStorage.setItem('chat-visitor', 'v1');`;
const WIDGET_CSS = 'body { font-family: sans-serif; }';
const sri = (text: string) => `sha384-${createHash('sha384').update(text).digest('base64')}`;

const page = (body: string, headers: Record<string, string | readonly string[]> = {}): Route =>
  ({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body: `<!doctype html><html><head><title>lab</title></head><body>${body}</body></html>` });
const script = (text: string): Route => ({ status: 200, headers: { 'content-type': 'text/javascript' }, body: text });
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64').toString('latin1');

/** Nothing before consent: a first-party script, a third-party stylesheet with a correct integrity, no cookies. */
export const cleanSite = (domain: string): SiteSpec => ({
  domain,
  https: {
    routes: {
      '/': page(`<h1>Clean</h1><link rel="stylesheet" href="https://${WIDGET_HOST}/widget.css" integrity="${sri(WIDGET_CSS)}" crossorigin="anonymous"><script src="/app.js"></script>`),
      '/app.js': script('document.title = "clean";'),
    },
  },
});

/**
 * Everything a consent banner should have held back: `sid` from the server, `_ga` and `_fbp` from its own script,
 * `chat_id` from the third party's script (with localStorage), an SRI-less third-party script, and mixed content.
 */
export const trackerSite = (domain: string): SiteSpec => ({
  domain,
  https: {
    routes: {
      '/': page(`<h1>Tracker</h1><script src="/track.js"></script><script src="https://${WIDGET_HOST}/chat.js"></script>`
        + `<img src="http://${domain}/pixel.gif" alt=""><script src="http://${domain}/legacy.js"></script>`,
      { 'set-cookie': ['sid=s1; Path=/; Secure; HttpOnly; SameSite=Lax'] }),
      '/track.js': script(`document.cookie = '_ga=GA1.1.1; path=/; max-age=86400'; document.cookie = '_fbp=fb.1; path=/'; sessionStorage.setItem('visit', '1');`),
    },
  },
  http: (req, res) => {
    if ((req.url ?? '').startsWith('/pixel.gif')) res.writeHead(200, { 'content-type': 'image/gif' }).end(Buffer.from(GIF, 'latin1'));
    else res.writeHead(200, { 'content-type': 'text/javascript' }).end('window.legacy = 1;');
  },
});

/** A page whose body never ends: the visit's time budget runs out. */
export const hangingSite = (domain: string): SiteSpec => ({
  domain,
  https: { routes: { '/': (_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.write('<!doctype html><p>loading'); } } },
});

/** The third party: its script sets a cookie and writes localStorage; its stylesheet is the one the clean page pins. */
export const widgetSite = (): SiteSpec => ({
  domain: WIDGET_HOST,
  https: {
    routes: {
      '/chat.js': script(CHAT_JS),
      '/widget.css': { status: 200, headers: { 'content-type': 'text/css', 'access-control-allow-origin': '*' }, body: WIDGET_CSS },
    },
  },
});
