/**
 * Transfer latency, console vs bare JsSIP, side by side in ONE lab run
 * (Kamailio + SIP.js caller and transferee, interleaved samples):
 *  - blind: drop (the agent's transfer request reaches main / the bare script
 *    calls refer()) → the transferee's INVITE arrives;
 *  - attended: Complete → the caller's INVITE-with-Replaces call is up, and →
 *    the caller RECEIVES the transferee's tone (880 Hz; the lab detector needs
 *    the tone in half of its 100 ms frames, a constant both sides pay).
 * Target (docs/testing.md, Benchmarks): the console adds ≤ 15 % and ≤ 20 ms.
 *
 *   npm run bench -- transfer        (TRANSFER_BENCH_RUNS=N, default 10)
 *
 * Needs the built media host (npm run bench builds first) and a loopback-only
 * namespace: outside one, run() re-runs itself under `unshare --net`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TransferSnapshot } from '../../preload/contract';
import { startConsole, type ConsoleUnderTest } from '../lab/console-fixture';
import { startLab, TONES, type Lab, type Peer } from '../lab/lab';
import { formatStats, stats, type Stats } from '../lab/measure';
import { netnsStatus } from '../lab/netns';
import { writeToneWav } from '../lab/tones';
import { until } from '../support/until';
import { startBareJssip, type BareJssip } from './transfer-bare';

const ROOT = resolve(import.meta.dirname, '../..');
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  blindInviteMs: number[];
  attendedUpMs: number[];
  attendedToneMs: number[];
}

/** Polls often: the lab answers in milliseconds and the measurements come from event timestamps. */
const waitFor = <T,>(get: () => Promise<T | null | undefined | false>, ms: number, what: string): Promise<T> =>
  until(get, { timeoutMs: ms, what: `transfer bench: ${what}`, intervalMs: 10 });

const referred = async (p: Peer) => (await p.calls()).filter((c) => c.referredBy !== undefined);

async function cleanup(lab: Lab, agent: ConsoleUnderTest, bare: BareJssip) {
  await bare.clear();
  await agent.clear().catch(() => undefined);
  await lab.reset();
  await waitFor(async () => (await bare.live()) === 0, 5000, 'bare JsSIP idle');
}

/** The transferee's INVITE (the n-th it ever received) → its epoch time. */
const nthInvite = (transferee: Peer, n: number) =>
  transferee.waitForEvent((e) => e === transferee.events.filter((x) => x.type === 'invite-received')[n], 10_000, 'transferee INVITE');

async function measureComplete(caller: Peer, before: number, t0: number, out: Sample) {
  const call = await waitFor(async () => (await referred(caller))[before], 10_000, 'INVITE with Replaces from the caller');
  const up = await caller.waitForEvent((e) => e.type === 'established' && e.call === call.id, 10_000, 'replacing call up');
  await waitFor(async () => (await caller.hears(call.id)).tones.includes(TONES.transferee), 10_000, 'transferee tone at the caller');
  out.attendedUpMs.push(up.t - t0);
  out.attendedToneMs.push(now() - t0);
}

export async function run(): Promise<void> {
  if (!netnsStatus().ok) {
    if (process.env.LAB_BENCH_REEXEC === '1') throw new Error(`transfer bench: still not in a loopback-only namespace: ${netnsStatus().reason}`);
    const r = spawnSync('unshare', ['--net', 'sh', '-c', 'ip link set lo up && exec npx tsx test/bench/index.ts transfer'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, LAB_BENCH_REEXEC: '1' },
    });
    if (r.status !== 0) console.warn(`\n!!! transfer bench SKIPPED or failed (status ${r.status}; needs root for unshare). ${netnsStatus().reason}\n`);
    return;
  }
  const runs = Number(process.env.TRANSFER_BENCH_RUNS ?? 10);
  const dir = mkdtempSync(join(tmpdir(), 'transfer-bench-'));
  const lab = await startLab({ name: 'bench-transfer', peers: [{ name: 'caller', signal: 'caller' }, { name: 'transferee', signal: 'transferee' }] });
  const agent = await startConsole(lab);
  const bare = await startBareJssip({ wsUrl: lab.wsUrl, domain: lab.domain, user: 'bare', fakeAudioFile: writeToneWav(join(dir, 'agent.wav'), TONES.agent) });
  const caller = lab.peer('caller');
  const transferee = lab.peer('transferee');
  const consoleS: Sample = { blindInviteMs: [], attendedUpMs: [], attendedToneMs: [] };
  const bareS: Sample = { blindInviteMs: [], attendedUpMs: [], attendedToneMs: [] };
  agent.setPreferences({ transfer: { undoWindowSec: 0, safeBlind: false, completeTimeoutSec: 4, incomingRefer: 'follow' } });
  const target = { kind: 'uri' as const, uri: transferee.uri };

  const consoleBlind = async (out: Sample) => {
    await transferee.setIncoming({ mode: 'answer', afterMs: 50 });
    const c = caller.call(agent.uri);
    const call = await agent.answerIncoming();
    await caller.waitForCallState(await c, 'established');
    await sleep(300);
    const n = transferee.events.filter((x) => x.type === 'invite-received').length;
    const t0 = now();
    await agent.request('transfer:blind', { callId: call.id, target, safe: false });
    out.blindInviteMs.push((await nthInvite(transferee, n)).t - t0);
    await agent.until(() => agent.transfer(call.id)?.phase === 'done', 10_000, 'console blind done');
  };
  const bareBlind = async (out: Sample) => {
    await transferee.setIncoming({ mode: 'answer', afterMs: 50 });
    const c = await caller.call(bare.uri);
    await waitFor(() => bare.ringing(), 10_000, 'call at the bare script');
    await bare.answer();
    await caller.waitForCallState(c, 'established');
    await sleep(300);
    const n = transferee.events.filter((x) => x.type === 'invite-received').length;
    const t0 = await bare.blind(transferee.uri);
    out.blindInviteMs.push((await nthInvite(transferee, n)).t - t0);
  };
  const consoleAttended = async (out: Sample) => {
    await transferee.setIncoming({ mode: 'answer', afterMs: 50 });
    const c = caller.call(agent.uri);
    const call = await agent.answerIncoming();
    await caller.waitForCallState(await c, 'established');
    await agent.request('transfer:attended', { callId: call.id, target });
    await agent.until(() => agent.transfer(call.id)?.phase === 'consulting', 10_000, 'consulting');
    await sleep(500);
    const before = (await referred(caller)).length;
    const t0 = now();
    const done = await agent.request<TransferSnapshot>('transfer:complete', { callId: call.id });
    if (done.phase !== 'completing') throw new Error(`console Complete went to ${done.phase}`);
    await measureComplete(caller, before, t0, out);
  };
  const bareAttended = async (out: Sample) => {
    await transferee.setIncoming({ mode: 'answer', afterMs: 50 });
    const c = await caller.call(bare.uri);
    await waitFor(() => bare.ringing(), 10_000, 'call at the bare script');
    await bare.answer();
    await caller.waitForCallState(c, 'established');
    await bare.consult(transferee.uri);
    await sleep(500);
    const before = (await referred(caller)).length;
    const t0 = await bare.complete(transferee.uri);
    await measureComplete(caller, before, t0, out);
  };

  const t0 = Date.now();
  try {
    // One warm-up of each (first getUserMedia / codec start-up), not counted.
    const scratch: Sample = { blindInviteMs: [], attendedUpMs: [], attendedToneMs: [] };
    for (const step of [consoleBlind, bareBlind, consoleAttended, bareAttended]) {
      await step(scratch);
      await cleanup(lab, agent, bare);
    }
    for (let i = 0; i < runs; i++) {
      // Interleaved so load from other work hits both sides alike.
      for (const [step, out] of [
        [consoleBlind, consoleS],
        [bareBlind, bareS],
        [consoleAttended, consoleS],
        [bareAttended, bareS],
      ] as const) {
        await step(out);
        await cleanup(lab, agent, bare);
      }
    }
  } finally {
    await bare.stop();
    await agent.stop();
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const rows: Array<[string, Stats, Stats]> = [
    ['blind: drop → transferee INVITE', stats(consoleS.blindInviteMs), stats(bareS.blindInviteMs)],
    ['attended: Complete → caller\u2019s new call up', stats(consoleS.attendedUpMs), stats(bareS.attendedUpMs)],
    ['attended: Complete → caller hears transferee', stats(consoleS.attendedToneMs), stats(bareS.attendedToneMs)],
  ];
  console.info(`\ntransfer bench (${runs} runs each, interleaved, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  const verdicts = rows.map(([label, c, b]) => {
    const added = c.median - b.median;
    const pct = (added / b.median) * 100;
    console.info(formatStats(`console ${label}`, c));
    console.info(formatStats(`bare JsSIP ${label}`, b));
    const ok = added <= 20 || pct <= 15;
    const verdict = `  → console adds ${added.toFixed(1)} ms (${pct.toFixed(1)} %) at the median: ${added <= 20 && pct <= 15 ? 'within both targets' : ok ? 'within one target (≤ 20 ms or ≤ 15 %)' : 'OVER target'}`;
    console.info(verdict);
    return { label, console: c, bare: b, addedMs: added, addedPct: pct };
  });
  const out = join(ROOT, 'test-results', 'lab');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'transfer-bench.json'), JSON.stringify({ when: new Date().toISOString(), runs, results: verdicts, raw: { console: consoleS, bare: bareS } }, null, 2));
}
