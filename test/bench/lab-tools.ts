/**
 * What the lab benchmarks share: re-running themselves in a loopback-only
 * network namespace, timestamping INVITEs as they reach a WebSocket in this
 * Node process, a bare JsSIP user agent beside the console's, the page clock
 * offset of a Chromium page, and the paint marks read alike on the console's
 * UI page and the bare JsSIP page (./bare-page.ts).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { UA } from 'jssip';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { WsSocket } from '../../main/sip/ws-socket';
import type { Lab } from '../lab/lab';
import { netnsStatus } from '../lab/netns';

export const ROOT = resolve(import.meta.dirname, '../..');
export const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * True when the caller should go on (we are in the namespace). Otherwise the benchmark was
 * re-run under `unshare --net` (as root) and the caller returns: false.
 */
export function inLabNamespace(name: string): boolean {
  if (netnsStatus().ok) return true;
  if (process.env.LAB_BENCH_REEXEC === '1') throw new Error(`${name}: still not in a loopback-only namespace: ${netnsStatus().reason}`);
  const r = spawnSync('unshare', ['--net', 'sh', '-c', `ip link set lo up && exec npx tsx test/bench/index.ts ${name}`], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, LAB_BENCH_REEXEC: '1' },
  });
  if (r.status !== 0) console.warn(`\n!!! ${name} SKIPPED or failed: could not run under \`unshare --net\` (status ${r.status}; needs root). ${netnsStatus().reason}\n`);
  return false;
}

/** When each Node-side SIP WebSocket got its latest INVITE, by the To user (every UA in this process uses `ws`). */
export function hookInviteArrivals(): { last: Map<string, number>; restore(): void } {
  const last = new Map<string, number>();
  const proto = WebSocket.prototype as unknown as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
  const emit = proto.emit;
  proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
    if (event === 'message') {
      const t = epochNow();
      const data = args[0];
      const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : '';
      if (text.startsWith('INVITE ')) {
        const to = /^(?:To|t)[ \t]*:[^\r\n]*?sips?:([^@>;]+)@/im.exec(text);
        if (to) last.set(to[1]!, t);
      }
    }
    return emit.call(this, event, ...args);
  };
  return { last, restore: () => void (proto.emit = emit) };
}

export interface BareJsSip {
  ua: UA;
  /** Resolves with the epoch time of the next incoming newRTCSession (the call is then refused 486). */
  nextIncoming(): Promise<number>;
}

/** A plain JsSIP UA on our WebSocket, registered as `user`: the baseline for "an INVITE became a call". */
export async function startBareJsSip(lab: Lab, user: string): Promise<BareJsSip> {
  const ua = new UA({ sockets: [new WsSocket({ url: lab.wsUrl, keepAliveMs: 0 })], uri: `sip:${user}@${lab.domain}`, password: 'lab-unused', register: false });
  let waiter: ((t: number) => void) | null = null;
  ua.on('newRTCSession', (e: { originator: string; session: { terminate(o: unknown): void } }) => {
    if (e.originator !== 'remote') return;
    const t = epochNow();
    waiter?.(t);
    waiter = null;
    // After JsSIP's automatic 180 (sent once newRTCSession listeners return).
    setImmediate(() => e.session.terminate({ status_code: 486 }));
  });
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('bare JsSIP did not register')), 10_000);
    ua.on('connected', () => ua.register());
    ua.on('registered', () => {
      clearTimeout(timer);
      ok();
    });
    ua.start();
  });
  return { ua, nextIncoming: () => new Promise<number>((r) => (waiter = r)) };
}

/** page epoch − Node epoch, from the round trip with the smallest RTT (of 15). */
export async function clockOffset(page: Page): Promise<{ offset: number; rtt: number }> {
  let best = { offset: 0, rtt: Infinity };
  for (let i = 0; i < 15; i++) {
    const t1 = epochNow();
    const tp = await page.evaluate(() => performance.timeOrigin + performance.now());
    const t2 = epochNow();
    if (t2 - t1 < best.rtt) best = { offset: tp - (t1 + t2) / 2, rtt: t2 - t1 };
  }
  return best;
}

/** A timestamp in a page (page epoch ms). */
export interface PageMark {
  t: number;
  /**
   * dom: a call card (article[data-call-id]) got into the DOM, or its data-state changed; painted: the
   * frame that shows it was painted; state / line: the console's calls:changed / line:changed listener
   * ran; invite: the INVITE's WebSocket message reached the page (the bare JsSIP page).
   */
  kind: 'state' | 'dom' | 'painted' | 'line' | 'invite';
  id: string;
  state: string;
}

/**
 * Marks every call card the DOM gets ('dom') and the paint that shows it ('painted'): the next
 * animation frame after the DOM change, then a task queued from it — which runs once that frame's
 * style, layout and paint are done. The same code on the console's UI page and on the bare JsSIP
 * page, so both sides of "painted" are read alike. A string, not a function: tsx would wrap named
 * helpers in __name(), which the page lacks. Waiters are called as marks arrive (no polling in the
 * page being measured).
 */
const PAINT_MARKS = `(() => {
  const marks = [];
  const waiters = new Set();
  const now = () => performance.timeOrigin + performance.now();
  const add = (m) => {
    marks.push(m);
    for (const w of [...waiters]) w(m);
  };
  const wait = (kind, state, id, after, ms) => new Promise((resolve, reject) => {
    const hit = (m) => m.kind === kind && m.state === state && (id === '' || m.id === id) && m.t >= after;
    const found = marks.find(hit);
    if (found) return resolve(found);
    const w = (m) => {
      if (!hit(m)) return;
      clearTimeout(timer);
      waiters.delete(w);
      resolve(m);
    };
    const timer = setTimeout(() => {
      waiters.delete(w);
      reject(new Error('no ' + kind + ' mark for ' + (id || 'any call') + ' in state ' + state + ' within ' + ms + ' ms'));
    }, ms);
    waiters.add(w);
  });
  const seen = new Set();
  const channel = new MessageChannel();
  const afterPaint = [];
  channel.port1.onmessage = () => {
    const t = now();
    for (const m of afterPaint.splice(0)) add({ ...m, t, kind: 'painted' });
  };
  new MutationObserver(() => {
    const t = now();
    const fresh = [];
    for (const el of document.querySelectorAll('article[data-call-id]')) {
      const key = el.dataset.callId + '|' + el.dataset.state;
      if (seen.has(key)) continue;
      seen.add(key);
      const m = { t, kind: 'dom', id: el.dataset.callId || '', state: el.dataset.state || '' };
      add(m);
      fresh.push(m);
    }
    if (fresh.length > 0) requestAnimationFrame(() => {
      afterPaint.push(...fresh);
      channel.port2.postMessage(0);
    });
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  window.__bench = { marks, add, wait, now };
})()`;

interface BenchWindow {
  __bench: { wait(kind: string, state: string, id: string, after: number, ms: number): Promise<PageMark> };
}

export async function installPaintMarks(page: Page): Promise<void> {
  await page.evaluate(PAINT_MARKS);
}

/** The first mark of `kind` in `state` for call `id` ('' = any) at or after `after` (page epoch ms), as it arrives. */
export function pageMark(page: Page, kind: PageMark['kind'], state: string, id: string, after: number, timeoutMs = 10_000): Promise<PageMark> {
  return page.evaluate(([k, s, i, a, ms]) => (window as unknown as BenchWindow).__bench.wait(k, s, i, a, ms), [kind, state, id, after, timeoutMs] as const);
}

/**
 * Runs the steps in the given order on even rounds and in reverse on odd ones, returning results in
 * the given order: every pair of sides alternates which goes first, so a drift in load hits all alike.
 */
export async function inAlternatingOrder<T extends unknown[]>(round: number, ...steps: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  const out = new Array<unknown>(steps.length);
  const order = steps.map((_, i) => i);
  if (round % 2 === 1) order.reverse();
  for (const i of order) out[i] = await steps[i]!();
  return out as T;
}

/** Runs a and b in the order the round says (even rounds: a first), returning [a, b] results. */
export async function inOrder<A, B>(round: number, a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
  if (round % 2 === 0) {
    const x = await a();
    return [x, await b()];
  }
  const y = await b();
  return [await a(), y];
}
