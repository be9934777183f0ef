/**
 * Node-side driver of a lab party: one headless Debian Chromium PROCESS per
 * party (Chromium's fake-audio file is a per-process flag), running the
 * SIP.js page in ./peer/page.ts. Started and stopped by PID.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, type WriteStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';
import { aggregate, describeReport, DETECTOR, KNOWN_TONES, matchesExpectation, type FrameReport, type HearsExpectation, type HearsReport } from './detector';
import type { CallInfo, CallState, IncomingBehaviour, LabEvent, ReferBehaviour } from './peer/page';
import { sleep, stopPid, track } from './procs';
import { baseChromiumFlags, CHROMIUM, fakeAudioFileFlag, fakeMediaFlags, webrtcLoopbackFlags } from '../harness/chromium';
import { knownMusicSignatures, writeLabWavs, type LabSignal } from './tones';

export type { CallInfo, CallState, IncomingBehaviour, LabEvent, ReferBehaviour } from './peer/page';

export { CHROMIUM } from '../harness/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
export const LAB_CACHE = join(ROOT, '.lab');

/** Flags for a peer's Chromium (test/harness/chromium.ts); the audio file is added per party. */
export const CHROMIUM_FLAGS = [...baseChromiumFlags, ...webrtcLoopbackFlags, ...fakeMediaFlags];

export class LabTimeoutError extends Error {
  override readonly name = 'LabTimeoutError';
}
export class LabPeerError extends Error {
  override readonly name = 'LabPeerError';
}

/** Bundles the page once per content hash (cached under .lab/, gitignored) and serves it on 127.0.0.1. */
export class PeerHost {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly wavs: Record<LabSignal, string>,
  ) {}

  static async start(): Promise<PeerHost> {
    const dir = join(LAB_CACHE, 'peer');
    mkdirSync(dir, { recursive: true });
    const entry = join(import.meta.dirname, 'peer/page.ts');
    const sipVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules/sip.js/package.json'), 'utf8')).version as string;
    const hash = createHash('sha1')
      .update(readFileSync(entry))
      .update(readFileSync(join(import.meta.dirname, 'detector.ts')))
      .update(sipVersion)
      .digest('hex')
      .slice(0, 12);
    const bundle = join(dir, `page-${hash}.js`);
    if (!existsSync(bundle)) {
      // Built aside and renamed: a concurrent lab never reads a half-written bundle.
      const tmp = `${bundle}.${process.pid}.tmp.js`;
      await build({ entryPoints: [entry], bundle: true, format: 'iife', platform: 'browser', target: 'chrome120', outfile: tmp, logLevel: 'warning' });
      renameSync(tmp, bundle);
    }
    const wavs = writeLabWavs(join(LAB_CACHE, 'wav'));
    const js = readFileSync(bundle);
    const html = '<!doctype html><meta charset="utf-8"><title>lab peer</title><body><script src="/page.js"></script></body>';
    const server = createServer((req, res) => {
      if (req.url === '/' || req.url?.startsWith('/?')) {
        res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      } else if (req.url === '/page.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      } else if (req.url === '/favicon.ico') {
        res.writeHead(204).end();
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    return new PeerHost(server, `http://127.0.0.1:${port}/`, wavs);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export interface PeerOptions {
  /** Party name, e.g. 'caller'. Also the SIP user unless `user` is given. */
  name: string;
  user?: string;
  /** What its microphone sends: a lab signal or a WAV file. */
  signal: LabSignal | { wav: string };
  wsUrl: string;
  domain: string;
  host: PeerHost;
  logDir: string;
  /** Incoming-call behaviour from the start (default manual: ring until answer()). */
  incoming?: IncomingBehaviour;
}

/** A call reference: the id the peer gave it (e.g. 'caller-1'). */
export type CallId = string;

export class Peer {
  readonly name: string;
  readonly user: string;
  readonly uri: string;
  readonly events: LabEvent[] = [];
  private consumedIncoming = 0;
  private waiters = new Set<() => void>();
  private constructor(
    private readonly server: BrowserServer,
    private readonly browser: Browser,
    private readonly page: Page,
    private readonly log: WriteStream,
    opts: PeerOptions,
  ) {
    this.name = opts.name;
    this.user = opts.user ?? opts.name;
    this.uri = `sip:${this.user}@${opts.domain}`;
  }

  static async start(opts: PeerOptions): Promise<Peer> {
    const wav = typeof opts.signal === 'string' ? opts.host.wavs[opts.signal] : opts.signal.wav;
    mkdirSync(opts.logDir, { recursive: true });
    const log = createWriteStream(join(opts.logDir, `peer-${opts.name}.log`), { flags: 'w' });
    const server = await chromium.launchServer({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_FLAGS, fakeAudioFileFlag(wav)],
      // Our own handlers (procs.ts) stop everything by PID.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const pid = server.process().pid;
    // Playwright spawns Chromium detached: its PID is its process group (zygote, renderers…).
    if (pid !== undefined) track(pid, `chromium-${opts.name}`, true);
    try {
      const browser = await chromium.connect(server.wsEndpoint());
      const page = await browser.newPage();
      const peer = new Peer(server, browser, page, log, opts);
      page.on('console', (m) => log.write(`[console.${m.type()}] ${m.text()}\n`));
      page.on('pageerror', (e) => log.write(`[pageerror] ${e.stack ?? e.message}\n`));
      await page.exposeFunction('labEmit', (e: LabEvent) => peer.onEvent(e));
      await page.goto(`${opts.host.url}?name=${encodeURIComponent(opts.name)}`);
      await page.waitForFunction(() => typeof window.lab === 'object');
      await page.evaluate((o) => window.lab.init(o), { user: peer.user, wsUrl: opts.wsUrl, domain: opts.domain, name: opts.name, signatures: knownMusicSignatures() });
      if (opts.incoming) await peer.setIncoming(opts.incoming);
      return peer;
    } catch (e) {
      if (pid !== undefined) await stopPid(pid, { group: true, child: server.process() });
      log.end();
      throw e;
    }
  }

  private onEvent(e: LabEvent): void {
    this.events.push(e);
    this.log.write(`${new Date(e.t).toISOString()} ${JSON.stringify(e)}\n`);
    for (const w of [...this.waiters]) w();
  }

  private async ev<T>(fn: string, ...args: unknown[]): Promise<T> {
    try {
      return (await this.page.evaluate(
        ([f, a]) => (window.lab as unknown as Record<string, (...x: unknown[]) => unknown>)[f as string]!(...(a as unknown[])),
        [fn, args] as const,
      )) as T;
    } catch (e) {
      const msg = (e instanceof Error ? e.message : String(e)).replace(/^page\.evaluate: /, '');
      const tail = this.events.slice(-6).map((x) => `${x.type}${x.call ? `(${x.call})` : ''}`).join(', ');
      throw new LabPeerError(`${this.name}.${fn}(${args.map((a) => JSON.stringify(a)).join(', ')}) failed: ${msg} [last events: ${tail}]`);
    }
  }

  /** Wait for an event (already received or future) matching `pred`. */
  async waitForEvent(pred: (e: LabEvent) => boolean, timeoutMs = 10_000, what = 'event'): Promise<LabEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) {
        const tail = this.events.slice(-8).map((x) => `${x.type}${x.call ? `(${x.call})` : ''}`).join(', ');
        throw new LabTimeoutError(`${this.name}: no ${what} within ${timeoutMs} ms (last events: ${tail})`);
      }
      await new Promise<void>((r) => {
        const w = (): void => {
          this.waiters.delete(w);
          clearTimeout(t);
          r();
        };
        const t = setTimeout(w, left);
        this.waiters.add(w);
      });
    }
  }

  /** Time (epoch ms, sub-ms) of the first event of `type` (for `call`), or undefined. */
  mark(type: string, call?: CallId): number | undefined {
    return this.events.find((e) => e.type === type && (call === undefined || e.call === call))?.t;
  }

  register(): Promise<{ ms: number }> {
    return this.ev('register');
  }
  /** Cold start on a throw-away UA for the same user: WebSocket connect + REGISTER → 200. */
  freshRegister(): Promise<{ connectMs: number; registerMs: number; totalMs: number }> {
    return this.ev('freshRegister');
  }
  unregister(): Promise<void> {
    return this.ev('unregister');
  }
  setIncoming(b: IncomingBehaviour): Promise<void> {
    return this.ev('setIncoming', b);
  }
  setRefer(b: ReferBehaviour): Promise<void> {
    return this.ev('setRefer', b);
  }

  /** Dial a peer, a user name (@lab domain) or a full SIP URI; returns at once with the call id. */
  call(to: Peer | string, opts: { extraHeaders?: string[] } = {}): Promise<CallId> {
    return this.ev('call', to instanceof Peer ? to.uri : to, opts);
  }

  /** Forget incoming calls received so far: the next waitForIncoming() waits for a new one. */
  resetIncoming(): void {
    this.consumedIncoming = this.events.filter((x) => x.type === 'invite-received').length;
  }

  /**
   * Hang up every live call, wait until no call, analyser or timer is left
   * (throws if one is), forget past incoming calls and go back to manual answering.
   */
  async reset(timeoutMs = 5000): Promise<void> {
    for (const c of await this.calls()) if (c.state !== 'terminated') await this.hangup(c.id).catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.resources();
      if (r.analysers === 0 && r.liveCalls === 0) break;
      if (Date.now() > deadline) throw new LabPeerError(`${this.name}: still has ${r.liveCalls} live call(s) and ${r.analysers} analyser(s) after reset`);
      await sleep(50);
    }
    this.resetIncoming();
    await this.setIncoming({ mode: 'manual' });
    await this.setRefer({ mode: 'follow' });
  }

  /** The next incoming call not yet returned by an earlier waitForIncoming() (see resetIncoming()). */
  async waitForIncoming(timeoutMs = 10_000): Promise<CallId> {
    const index = this.consumedIncoming++;
    const invites = (): LabEvent[] => this.events.filter((x) => x.type === 'invite-received');
    const e = await this.waitForEvent((x) => x === invites()[index], timeoutMs, 'incoming INVITE').catch((err: unknown) => {
      this.consumedIncoming--;
      throw err;
    });
    return e.call!;
  }

  async waitForCallState(call: CallId, state: CallState, timeoutMs = 10_000): Promise<CallInfo> {
    const deadline = Date.now() + timeoutMs;
    const order: CallState[] = ['calling', 'ringing', 'established', 'terminated'];
    for (;;) {
      const info = (await this.calls()).find((c) => c.id === call);
      if (info && (info.state === state || (state !== 'terminated' && info.state === 'terminated'))) {
        if (info.state !== state) throw new LabPeerError(`${this.name}: call ${call} ended (status ${info.status}) instead of reaching ${state}`);
        return info;
      }
      if (info && order.indexOf(info.state) > order.indexOf(state)) return info;
      if (Date.now() > deadline) throw new LabTimeoutError(`${this.name}: call ${call} not ${state} within ${timeoutMs} ms (is ${info?.state ?? 'unknown'})`);
      await sleep(50);
    }
  }

  answer(call?: CallId): Promise<void> {
    return this.ev('answer', call);
  }
  /** Reject an incoming call with a final status (486 busy, 603 decline, 404…). */
  reject(code: number, call?: CallId): Promise<void> {
    return this.ev('reject', code, call);
  }
  /** BYE, CANCEL or reject (480) depending on the call's state. */
  hangup(call?: CallId): Promise<void> {
    return this.ev('hangup', call);
  }
  hold(call?: CallId): Promise<void> {
    return this.ev('hold', call);
  }
  unhold(call?: CallId): Promise<void> {
    return this.ev('unhold', call);
  }
  sendDtmf(digits: string, opts: { call?: CallId; mode?: 'info' | 'rfc2833' } = {}): Promise<void> {
    return this.ev('sendDtmf', digits, opts.mode ?? 'info', opts.call);
  }
  /** Digits received by SIP INFO on the call (RFC 2833 events are not exposed by WebRTC). */
  async receivedDtmf(call?: CallId): Promise<string> {
    const calls = await this.calls();
    const c = call ? calls.find((x) => x.id === call) : calls.filter((x) => x.state !== 'terminated').at(-1);
    return c?.dtmf ?? '';
  }
  /** REFER on `call` (default: latest live call). `replacesCall`: attended (Replaces from that dialog). */
  refer(to: Peer | string, opts: { call?: CallId; replacesCall?: CallId } = {}): Promise<{ status: number }> {
    return this.ev('refer', to instanceof Peer ? to.uri : to, { id: opts.call, replacesCall: opts.replacesCall });
  }

  hears(call?: CallId): Promise<HearsReport> {
    return this.ev('hears', call);
  }

  /**
   * What the party hears over a whole window: records every frame of the
   * call's received audio until `frames` of them are in (one per 100 ms),
   * and returns one report per report-sized window — an absence ("no music",
   * "silence") is then asserted over all of them, not at one instant.
   */
  async hearsThroughout(frames: number, call?: CallId, timeoutMs = frames * 100 + 10_000): Promise<HearsReport[]> {
    await this.ev('startRecording', call);
    const deadline = Date.now() + timeoutMs;
    let recorded: FrameReport[] = [];
    for (;;) {
      recorded = await this.ev<FrameReport[]>('takeRecording', call, false);
      if (recorded.length >= frames) break;
      if (Date.now() > deadline) throw new LabTimeoutError(`${this.name}: only ${recorded.length} of ${frames} frames recorded within ${timeoutMs} ms`);
      await sleep(100);
    }
    await this.ev('takeRecording', call, true);
    const signatures = knownMusicSignatures();
    const reports: HearsReport[] = [];
    for (let i = 0; i + DETECTOR.windowFrames <= recorded.length; i++) reports.push(aggregate(recorded.slice(i, i + DETECTOR.windowFrames), KNOWN_TONES, signatures));
    return reports;
  }

  /** Poll hears() until it matches (two consecutive reports), or throw with the last report. */
  async expectHears(expect: HearsExpectation, timeoutMs = 8000, call?: CallId): Promise<HearsReport> {
    const deadline = Date.now() + timeoutMs;
    let last: HearsReport | undefined;
    let streak = 0;
    for (;;) {
      last = await this.hears(call).catch(() => last);
      if (last && last.frames >= 4 && matchesExpectation(last, expect)) {
        if (++streak >= 2) return last;
      } else streak = 0;
      if (Date.now() > deadline) {
        throw new LabTimeoutError(
          `${this.name} should hear ${JSON.stringify(expect)} within ${timeoutMs} ms, but hears ${last ? describeReport(last) : 'nothing (no call)'}`,
        );
      }
      await sleep(150);
    }
  }

  calls(): Promise<CallInfo[]> {
    return this.ev('calls');
  }
  state(): Promise<{ registered: boolean; connected: boolean; calls: CallInfo[] }> {
    return this.ev('state');
  }
  resources(): Promise<{ analysers: number; liveCalls: number }> {
    return this.ev('resources');
  }

  /** Hang up, unregister, close the browser, and make sure the process group is gone. */
  async stop(): Promise<void> {
    const proc = this.server.process();
    await Promise.race([this.ev('stop').catch(() => undefined), sleep(1500)]);
    await Promise.race([this.browser.close().catch(() => undefined), sleep(1500)]);
    await Promise.race([this.server.close().catch(() => undefined), sleep(1500)]);
    if (proc.pid !== undefined) await stopPid(proc.pid, { group: true, child: proc, graceMs: 500 });
    await new Promise<void>((r) => this.log.end(r));
  }
}
