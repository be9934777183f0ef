/**
 * The baseline for the transfer benchmark: a BARE JsSIP 3.13.8 script doing
 * the same REFERs as the console, with nothing around it — JsSIP bundled
 * (esbuild) into a page of its own headless Chromium (its fake microphone =
 * the agent's tone), real RTCPeerConnections, no proxy, no service, no state
 * machine. Blind: REFER, BYE on the first NOTIFY (the seed's "release after
 * dialing"). Attended: hold + consult call, then REFER with JsSIP's own
 * `replaces` (correct here: our consult is an OUTGOING call, JsSIP #817
 * bites only on incoming ones), BYE both on NOTIFY 2xx. Safe blind: the
 * same, with the REFER sent the moment the consult is answered.
 */
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../harness/media-host';

const ROOT = resolve(import.meta.dirname, '../..');

const pageSource = `
import * as JsSIP from 'jssip';
const now = () => performance.timeOrigin + performance.now();
const media = { mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] }, rtcOfferConstraints: { offerToReceiveAudio: true } };
let ua = null, caller = null, consult = null;
const keepAudio = (s) => s.on('peerconnection', ({ peerconnection }) => peerconnection.addEventListener('track', (e) => {
  const a = document.createElement('audio'); a.muted = true; a.srcObject = e.streams[0] || new MediaStream([e.track]); document.body.append(a); a.play().catch(() => {});
}));
window.bare = {
  init: ({ wsUrl, uri }) => new Promise((resolve, reject) => {
    ua = new JsSIP.UA({ sockets: [new JsSIP.WebSocketInterface(wsUrl)], uri, register: false, session_timers: false });
    ua.on('connected', () => ua.register());
    ua.on('registered', () => resolve());
    ua.on('registrationFailed', (e) => reject(new Error(String(e.cause))));
    ua.on('newRTCSession', (e) => { if (e.originator === 'remote') { caller = e.session; keepAudio(caller); } });
    ua.start();
  }),
  ringing: () => !!caller && !caller.isEstablished() && !caller.isEnded(),
  answer: () => new Promise((resolve, reject) => {
    const s = caller;
    s.on('confirmed', () => resolve());
    s.on('failed', (e) => reject(new Error(String(e.cause))));
    s.answer(media);
  }),
  blind: (target) => {
    const s = caller;
    const t0 = now();
    const sub = s.refer(target);
    const release = () => { if (!s.isEnded()) s.terminate(); };
    sub.on('trying', release); sub.on('progress', release); sub.on('accepted', release);
    return t0;
  },
  consult: (target) => new Promise((resolve, reject) => {
    caller.hold();
    consult = ua.call(target, { ...media, eventHandlers: { confirmed: () => resolve(), failed: (e) => reject(new Error(String(e.cause))) } });
    keepAudio(consult);
  }),
  // Safe blind as the console does it, supervised: hold, then (once held) our own leg to the target,
  // and the moment it is answered a REFER with Replaces to the caller; both released on NOTIFY 2xx.
  safeBlind: (target) => {
    const s = caller;
    const t0 = now();
    s.hold({}, () => {
      const k = ua.call(target, { ...media, eventHandlers: { confirmed: () => {
        const sub = s.refer(target, { replaces: k });
        sub.on('accepted', () => { if (!s.isEnded()) s.terminate(); if (!k.isEnded()) k.terminate(); });
      } } });
      consult = k;
      keepAudio(k);
    });
    return t0;
  },
  complete: (target) => {
    const s = caller, k = consult;
    const t0 = now();
    const sub = s.refer(target, { replaces: k });
    sub.on('accepted', () => { if (!s.isEnded()) s.terminate(); if (!k.isEnded()) k.terminate(); });
    return t0;
  },
  clear: () => {
    for (const s of Object.values(ua._sessions)) { try { s.terminate(); } catch {} }
    caller = null; consult = null;
    // The elements that pulled each call's audio: gone with the calls, so a long run stays light.
    for (const a of document.querySelectorAll('audio')) { a.srcObject = null; a.remove(); }
  },
  live: () => Object.keys(ua._sessions).length,
};
`;

export interface BareJssip {
  readonly uri: string;
  ringing(): Promise<boolean>;
  answer(): Promise<void>;
  /** Returns the epoch ms (page clock = system clock) just before refer(). */
  blind(target: string): Promise<number>;
  consult(target: string): Promise<void>;
  complete(target: string): Promise<number>;
  /** Hold, call the target, REFER with Replaces once it answers; returns the epoch ms before hold(). */
  safeBlind(target: string): Promise<number>;
  clear(): Promise<void>;
  live(): Promise<number>;
  stop(): Promise<void>;
}

export async function startBareJssip(o: { wsUrl: string; domain: string; user: string; fakeAudioFile: string }): Promise<BareJssip> {
  const bundle = await build({
    stdin: { contents: pageSource, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'warning',
  });
  const js = bundle.outputFiles[0]!.text;
  const server: Server = createServer((req, res) => {
    if (req.url === '/bare.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>bare jssip</title><script src="/bare.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  let browser: Browser | null = null;
  try {
    browser = await launchChromium(o.fakeAudioFile);
    const page: Page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => typeof (window as unknown as { bare?: unknown }).bare === 'object');
    const uri = `sip:${o.user}@${o.domain}`;
    const call = <T>(fn: string, ...args: unknown[]): Promise<T> =>
      page.evaluate(([f, a]) => (window as unknown as { bare: Record<string, (...x: unknown[]) => unknown> }).bare[f as string]!(...(a as unknown[])), [fn, args] as const) as Promise<T>;
    await call('init', { wsUrl: o.wsUrl, uri });
    const b = browser;
    return {
      uri,
      ringing: () => call('ringing'),
      answer: () => call('answer'),
      blind: (t) => call('blind', t),
      consult: (t) => call('consult', t),
      complete: (t) => call('complete', t),
      safeBlind: (t) => call('safeBlind', t),
      clear: () => call('clear'),
      live: () => call('live'),
      async stop() {
        await b.close().catch(() => undefined);
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    server.close();
    throw e;
  }
}
