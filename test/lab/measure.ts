/**
 * Measurement helpers for lab benchmarks: bare SIP.js-to-SIP.js baselines
 * that the console's figures are compared against in the same run. Timings
 * come from the peers' own event marks (performance.timeOrigin + now(), epoch
 * ms shared by every process on the machine), not from Node round trips.
 */
import type { Lab } from './lab';
import type { Peer } from './peer';

export interface Stats {
  n: number;
  min: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) return { n: 0, min: NaN, median: NaN, p95: NaN, max: NaN, mean: NaN };
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { n: s.length, min: s[0]!, median: q(0.5), p95: q(0.95), max: s[s.length - 1]!, mean: s.reduce((a, b) => a + b, 0) / s.length };
}

/**
 * Per-round differences of two interleaved series (console − bare, round by round): what one
 * round added. Its p95 is the tail of the added time itself, which p95(a) − p95(b) is not
 * (the two p95s may come from different rounds). Series of unequal length are cut to the shorter.
 */
export function pairedDifferences(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.min(a.length, b.length);
  return Array.from({ length: n }, (_, i) => a[i]! - b[i]!);
}

/** "+m ms median, +p ms p95 (per-round differences); p95(a) − p95(b) = +q ms": both readings of "added". */
export function formatAdded(a: readonly number[], b: readonly number[]): string {
  const d = stats(pairedDifferences(a, b));
  const sa = stats(a);
  const sb = stats(b);
  const f = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)} ms`;
  return `per-round difference median ${f(d.median)}, p95 ${f(d.p95)} (n=${d.n}); median(a) − median(b) ${f(sa.median - sb.median)}, p95(a) − p95(b) ${f(sa.p95 - sb.p95)}`;
}

export function formatStats(label: string, st: Stats, unit = 'ms'): string {
  const f = (x: number): string => x.toFixed(1).padStart(7);
  return `${label.padEnd(44)} n=${String(st.n).padStart(3)}  median ${f(st.median)} ${unit}  p95 ${f(st.p95)} ${unit}  min ${f(st.min)}  max ${f(st.max)}`;
}

/** REGISTER → 200 OK as seen by the registering peer, `runs` times. */
export async function measureRegister(peer: Peer, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push((await peer.register()).ms);
  return out;
}

/** Cold registration (new UA: WebSocket connect + REGISTER → 200), `runs` times. */
export async function measureFreshRegister(peer: Peer, runs: number): Promise<Array<{ connectMs: number; registerMs: number; totalMs: number }>> {
  const out: Array<{ connectMs: number; registerMs: number; totalMs: number }> = [];
  for (let i = 0; i < runs; i++) out.push(await peer.freshRegister());
  return out;
}

export interface CallSetupSample {
  /** Caller: call() (getUserMedia, offer, ICE on loopback, INVITE) → 200 OK / session established. */
  setupMs: number;
  /** Caller: call() → callee UA has the INVITE (cross-process marks). */
  inviteArrivalMs: number;
}

/** The callee answers at once; each call is hung up and the peers reset before the next. */
export async function measureCallSetup(lab: Lab, caller: Peer, callee: Peer, runs: number): Promise<CallSetupSample[]> {
  const out: CallSetupSample[] = [];
  for (let i = 0; i < runs; i++) {
    await callee.setIncoming({ mode: 'answer' });
    const id = await caller.call(callee);
    const inc = await callee.waitForIncoming();
    await caller.waitForCallState(id, 'established');
    const sent = caller.mark('calling', id)!;
    const est = (await caller.waitForEvent((e) => e.type === 'established' && e.call === id)).t;
    out.push({ setupMs: est - sent, inviteArrivalMs: callee.mark('invite-received', inc)! - sent });
    await caller.hangup(id);
    await lab.reset();
  }
  return out;
}

/** hold → re-INVITE answered, on an established call. */
export async function measureHold(lab: Lab, caller: Peer, callee: Peer, runs: number): Promise<number[]> {
  await callee.setIncoming({ mode: 'answer' });
  const id = await caller.call(callee);
  await caller.waitForCallState(id, 'established');
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = caller.events.length;
    await caller.hold(id);
    out.push(Number(caller.events.slice(before).find((e) => e.type === 'held')!['ms']));
    await caller.unhold(id);
  }
  await caller.hangup(id);
  await lab.reset();
  return out;
}

export interface BlindReferSample {
  /** Transferer: REFER sent → NOTIFY with a 200 sipfrag. */
  referToNotify200Ms: number;
  /** Transferer: REFER sent → the transferee's UA has the INVITE. */
  referToTransfereeInviteMs: number;
}

/** caller calls transferer; transferer REFERs the caller to the (auto-answering) transferee. */
export async function measureBlindRefer(lab: Lab, caller: Peer, transferer: Peer, transferee: Peer, runs: number): Promise<BlindReferSample[]> {
  const out: BlindReferSample[] = [];
  for (let i = 0; i < runs; i++) {
    await transferer.setIncoming({ mode: 'answer' });
    await transferee.setIncoming({ mode: 'answer' });
    const leg = await caller.call(transferer);
    const inc = await transferer.waitForIncoming();
    await transferer.waitForCallState(inc, 'established');
    const before = transferer.events.length;
    await transferer.refer(transferee, { call: inc });
    const sent = transferer.events.slice(before).find((e) => e.type === 'refer-sent')!.t;
    const n200 = await transferer.waitForEvent((e) => e.type === 'notify' && e.call === inc && e['status'] === 200 && e.t >= sent);
    const tInc = await transferee.waitForIncoming();
    out.push({ referToNotify200Ms: n200.t - sent, referToTransfereeInviteMs: transferee.mark('invite-received', tInc)! - sent });
    await transferer.hangup(inc);
    await caller.waitForCallState(leg, 'terminated');
    await lab.reset();
  }
  return out;
}
