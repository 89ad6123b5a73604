/**
 * Starts the system's Chromium through puppeteer-core (which downloads nothing; loaded on demand, so a scan without
 * `browser` never loads it). Chromium resolves nothing itself and sends everything through a proxy: the browser-wide
 * one refuses all (Chromium's own background traffic), each visit's context gets its own (src/browser/proxy.ts).
 */
import { access, constants } from 'node:fs/promises';
import type { Browser } from 'puppeteer-core';
import { ProbeError } from '../core/errors.ts';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const VIEWPORT = { width: 1280, height: 800 } as const;

/** Chromium's switches: no name resolution, everything through `proxyUrl`, no background services, a V8 heap cap. */
export function chromiumArgs(proxyUrl: string): string[] {
  return [
    `--proxy-server=${proxyUrl}`, '--proxy-bypass-list=<-loopback>', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps',
    '--disable-extensions', '--no-first-run', '--no-default-browser-check', '--mute-audio', '--disable-gpu', '--deny-permission-prompts',
    '--disable-features=Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions,AutofillServerCommunication,HttpsUpgrades',
    // A renderer that runs away is killed by V8 at this heap size, not the machine's memory.
    '--js-flags=--max-old-space-size=256',
    `--window-size=${VIEWPORT.width},${VIEWPORT.height}`,
    // Chromium's sandbox refuses to run as root; elsewhere it stays on.
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
  ];
}

/** A `client-limitation` ProbeError with the install hint when the executable is missing. */
export async function assertExecutable(path: string): Promise<void> {
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new ProbeError('client-limitation', 'browser', `Chromium not found at ${path}: install it (apt install chromium) or set browser.executablePath`);
  }
}

export async function launchChromium(executablePath: string, proxyUrl: string): Promise<Browser> {
  await assertExecutable(executablePath);
  const { launch } = await import('puppeteer-core');
  try {
    return await launch({
      executablePath, pipe: true, headless: true, args: chromiumArgs(proxyUrl), defaultViewport: VIEWPORT,
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false, protocolTimeout: 60_000,
    });
  } catch (err) {
    throw new ProbeError('client-limitation', 'browser', `Chromium at ${executablePath} did not start: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
  }
}
