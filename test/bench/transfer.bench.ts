/**
 * Transfer latency, console vs bare JsSIP, side by side in ONE lab run
 * (Kamailio + SIP.js caller and transferee, the console = the real core with
 * its media host; the bare side = test/bench/transfer-bare.ts). Each round runs
 * blind, attended and safe blind on both sides; which side goes first
 * alternates round by round.
 *
 *  - blind (seed mode, released on the first NOTIFY): request → the
 *    transferee's INVITE arrives; → the transferer is released (BYE at the
 *    caller); → the caller hears the transferee.
 *  - attended: Complete → the caller's INVITE-with-Replaces call is up; →
 *    released; → the caller hears the transferee.
 *  - safe blind (supervised: hold, our own silent leg to the transferee,
 *    REFER with Replaces once it answers; docs/transfers.md): request →
 *    released; → the caller hears the transferee; and the hand-over gap: the
 *    transferee answered our leg → the transferee hears the caller.
 *
 * "Hears" is read two ways, each with its resolution next to the figure: the
 * fine onset detector (./fine-ears.ts, 10 ms blocks, and the track's first
 * RTP packet as the earliest possible), and the lab detector the tests use
 * (100 ms frames of a 170 ms FFT, polled), kept for comparison with earlier runs.
 * The transferee answers 50 ms after its phone rings; that wait is in every
 * blind and safe-blind "hears" figure, on both sides.
 * Target (docs/testing.md, Benchmarks): the console adds ≤ 15 % and ≤ 20 ms.
 *
 *   npm run bench -- transfer        (TRANSFER_BENCH_RUNS=N, default 30)
 *
 * Needs the built media host (npm run bench builds first) and a loopback-only
 * namespace: outside one, run() re-runs itself under `unshare --net`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransferSnapshot } from '../../preload/contract';
import { startConsole, type ConsoleUnderTest } from '../lab/console-fixture';
import { DETECTOR, startLab, TONES, type Lab, type Peer } from '../lab/lab';
import { formatAdded, formatStats, stats } from '../lab/measure';
import { writeToneWav } from '../lab/tones';
import { until } from '../support/until';
import { FINE_BLOCK_MS, firstOnsetAfter, forgetFineTracks, installFineEars } from './fine-ears';
import { inLabNamespace, inOrder, ROOT } from './lab-tools';
import { startBareJssip, type BareJssip } from './transfer-bare';

const NAME = 'transfer';
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One side's figures, each a list with one entry per round (ms). */
type Series = Record<string, number[]>;
const push = (s: Series, key: string, v: number) => (s[key] ??= []).push(v);

/** Polls often: the lab answers in milliseconds and the measurements come from event timestamps. */
const waitFor = <T,>(get: () => Promise<T | null | undefined | false>, ms: number, what: string): Promise<T> =>
  until(get, { timeoutMs: ms, what: `transfer bench: ${what}`, intervalMs: 10 });

const referred = async (p: Peer) => (await p.calls()).filter((c) => c.referredBy !== undefined);
const invites = (p: Peer) => p.events.filter((x) => x.type === 'invite-received');

async function cleanup(lab: Lab, agent: ConsoleUnderTest, bare: BareJssip) {
  await bare.clear();
  await agent.clear().catch(() => undefined);
  await lab.reset();
  await waitFor(async () => (await bare.live()) === 0, 5000, 'bare JsSIP idle');
  await Promise.all(lab.peers.map((p) => forgetFineTracks(p)));
}

/**
 * After the transfer started at t0: when the caller's transferer leg was released (its BYE), when
 * its new call (the one made on the REFER, the `before`-th) was up, and when the caller heard the
 * transferee — fine onset, first packet, and the lab detector.
 */
async function callerSide(caller: Peer, leg: string, before: number, t0: number, out: Series, prefix: string) {
  const released = await caller.waitForEvent((e) => e.type === 'terminated' && e.call === leg && e.t >= t0, 30_000, 'the transferer leg released');
  const call = await waitFor(async () => (await referred(caller))[before], 30_000, 'the call the caller made on the REFER');
  const up = await caller.waitForEvent((e) => e.type === 'established' && e.call === call.id, 30_000, 'the caller\u2019s new call up');
  const fine = await waitFor(() => firstOnsetAfter(caller, TONES.transferee, t0), 30_000, 'the transferee\u2019s tone at the caller (fine)');
  await waitFor(async () => (await caller.hears(call.id)).tones.includes(TONES.transferee), 30_000, 'the transferee\u2019s tone at the caller (lab detector)');
  const lab = now();
  push(out, `${prefix}.released`, released.t - t0);
  push(out, `${prefix}.up`, up.t - t0);
  push(out, `${prefix}.hears`, fine.onset - t0);
  if (fine.unmuted !== null) push(out, `${prefix}.packet`, fine.unmuted - t0);
  push(out, `${prefix}.hearsLab`, lab - t0);
}

/**
 * Safe blind's timeline after the request at t0, and its hand-over: the transferee answered our leg
 * (its n-th INVITE) → it hears the caller, with the SIP steps in between (the REFER reaching the
 * caller, the caller's INVITE with Replaces reaching the transferee, the caller's new call up).
 */
async function handOver(caller: Peer, transferee: Peer, n: number, t0: number, out: Series) {
  const inv = await transferee.waitForEvent((e) => e === invites(transferee)[n], 30_000, 'the supervised leg at the transferee');
  const answered = await transferee.waitForEvent((e) => e.type === 'established' && e.call === inv.call, 30_000, 'the transferee answering our leg');
  const refer = await caller.waitForEvent((e) => e.type === 'refer-received' && e.t >= answered.t, 30_000, 'the REFER at the caller');
  const replacing = await transferee.waitForEvent((e) => e.type === 'invite-received' && e['replaces'] !== null && e.t >= answered.t, 30_000, 'the INVITE with Replaces');
  const fine = await waitFor(() => firstOnsetAfter(transferee, TONES.caller, answered.t), 30_000, 'the caller\u2019s tone at the transferee');
  push(out, 'safe.invite', inv.t - t0);
  push(out, 'safe.answered', answered.t - t0);
  push(out, 'safe.gapRefer', refer.t - answered.t);
  push(out, 'safe.gapInvite', replacing.t - answered.t);
  push(out, 'safe.gap', fine.onset - answered.t);
  if (fine.unmuted !== null) push(out, 'safe.gapPacket', fine.unmuted - answered.t);
}

export async function run(): Promise<void> {
  if (!inLabNamespace(NAME)) return;
  const runs = Number(process.env.TRANSFER_BENCH_RUNS ?? 30);
  const loadBefore = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'transfer-bench-'));
  // 30 rounds of six transfers take 15–25 min on a loaded machine: past the lab's default 10-min guard.
  const lab = await startLab({ name: 'bench-transfer', peers: [{ name: 'caller', signal: 'caller' }, { name: 'transferee', signal: 'transferee' }], globalTimeoutMs: 3 * 3600_000 });
  const agent = await startConsole(lab);
  const bare = await startBareJssip({ wsUrl: lab.wsUrl, domain: lab.domain, user: 'bare', fakeAudioFile: writeToneWav(join(dir, 'agent.wav'), TONES.agent) });
  const caller = lab.peer('caller');
  const transferee = lab.peer('transferee');
  await installFineEars(caller);
  await installFineEars(transferee);
  const consoleS: Series = {};
  const bareS: Series = {};
  agent.setPreferences({ transfer: { undoWindowSec: 0, safeBlind: false, completeTimeoutSec: 4, incomingRefer: 'follow' } });
  const target = { kind: 'uri' as const, uri: transferee.uri };

  /** The caller calls the console and the agent answers; returns the caller's leg and the console's call id. */
  const consoleConnected = async () => {
    await transferee.setIncoming({ mode: 'answer', afterMs: 50 });
    const c = caller.call(agent.uri);
    const call = await agent.answerIncoming();
    const leg = await c;
    await caller.waitForCallState(leg, 'established');
    return { leg, callId: call.id };
  };
  const bareConnected = async () => {
    await transferee.setIncoming({ mode: 'answer', afterMs: 50 });
    const leg = await caller.call(bare.uri);
    await waitFor(() => bare.ringing(), 10_000, 'call at the bare script');
    await bare.answer();
    await caller.waitForCallState(leg, 'established');
    return leg;
  };

  const consoleBlind = async (out: Series) => {
    const { leg, callId } = await consoleConnected();
    await sleep(300);
    const n = invites(transferee).length;
    const before = (await referred(caller)).length;
    const t0 = now();
    await agent.request('transfer:blind', { callId, target, safe: false });
    push(out, 'blind.invite', (await transferee.waitForEvent((e) => e === invites(transferee)[n], 10_000, 'transferee INVITE')).t - t0);
    await callerSide(caller, leg, before, t0, out, 'blind');
    await agent.until(() => agent.transfer(callId)?.phase === 'done', 10_000, 'console blind done');
  };
  const bareBlind = async (out: Series) => {
    const leg = await bareConnected();
    await sleep(300);
    const n = invites(transferee).length;
    const before = (await referred(caller)).length;
    const t0 = await bare.blind(transferee.uri);
    push(out, 'blind.invite', (await transferee.waitForEvent((e) => e === invites(transferee)[n], 10_000, 'transferee INVITE')).t - t0);
    await callerSide(caller, leg, before, t0, out, 'blind');
  };
  const consoleAttended = async (out: Series) => {
    const { leg, callId } = await consoleConnected();
    await agent.request('transfer:attended', { callId, target });
    await agent.until(() => agent.transfer(callId)?.phase === 'consulting', 10_000, 'consulting');
    await sleep(500);
    const before = (await referred(caller)).length;
    const t0 = now();
    const done = await agent.request<TransferSnapshot>('transfer:complete', { callId });
    if (done.phase !== 'completing') throw new Error(`console Complete went to ${done.phase}`);
    await callerSide(caller, leg, before, t0, out, 'attended');
  };
  const bareAttended = async (out: Series) => {
    const leg = await bareConnected();
    await bare.consult(transferee.uri);
    await sleep(500);
    const before = (await referred(caller)).length;
    const t0 = await bare.complete(transferee.uri);
    await callerSide(caller, leg, before, t0, out, 'attended');
  };
  const consoleSafe = async (out: Series) => {
    const { leg, callId } = await consoleConnected();
    await sleep(300);
    const n = invites(transferee).length;
    const before = (await referred(caller)).length;
    const t0 = now();
    await agent.request('transfer:blind', { callId, target, safe: true });
    await callerSide(caller, leg, before, t0, out, 'safe');
    await handOver(caller, transferee, n, t0, out);
    await agent.until(() => agent.transfer(callId)?.phase === 'done', 10_000, 'console safe blind done');
  };
  const bareSafe = async (out: Series) => {
    const leg = await bareConnected();
    await sleep(300);
    const n = invites(transferee).length;
    const before = (await referred(caller)).length;
    const t0 = await bare.safeBlind(transferee.uri);
    await callerSide(caller, leg, before, t0, out, 'safe');
    await handOver(caller, transferee, n, t0, out);
  };

  const t0 = Date.now();
  let dropped = 0;
  try {
    // One warm-up of each (first getUserMedia / codec start-up), not counted.
    const scratch: Series = {};
    for (const step of [consoleBlind, bareBlind, consoleAttended, bareAttended, consoleSafe, bareSafe]) {
      await step(scratch);
      await cleanup(lab, agent, bare);
    }
    let failed = 0;
    for (let i = 0; i < runs; i++) {
      for (const [c, b] of [
        [consoleBlind, bareBlind],
        [consoleAttended, bareAttended],
        [consoleSafe, bareSafe],
      ] as const) {
        // A pair counts only when both sides completed: the per-round differences stay paired.
        const roundC: Series = {};
        const roundB: Series = {};
        try {
          await inOrder(
            i,
            async () => {
              await c(roundC).catch((e: unknown) => Promise.reject(new Error(`console side: ${String(e)}`)));
              await cleanup(lab, agent, bare);
            },
            async () => {
              await b(roundB).catch((e: unknown) => Promise.reject(new Error(`bare side: ${String(e)}`)));
              await cleanup(lab, agent, bare);
            },
          );
          for (const [k, v] of Object.entries(roundC)) for (const x of v) push(consoleS, k, x);
          for (const [k, v] of Object.entries(roundB)) for (const x of v) push(bareS, k, x);
        } catch (e) {
          // A loaded machine can stall a party past a time-out: that pair is dropped, said, and counted.
          failed++;
          console.warn(`transfer bench: round ${i + 1} ${c.name}/${b.name} dropped: ${String(e).split('\n')[0].slice(0, 600)}`);
          if (failed > 5) throw e;
          await cleanup(lab, agent, bare).catch(() => undefined);
        }
      }
    }
    dropped = failed;
  } finally {
    await bare.stop();
    await agent.stop();
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const labStep = `lab detector: ${DETECTOR.windowFrames}-frame window of ${((DETECTOR.fftSize / 48_000) * 1000).toFixed(0)} ms FFTs taken every 100 ms, polled every 10 ms — steps of 100 ms, late by up to ~270 ms`;
  const fineStep = `fine detector: ${FINE_BLOCK_MS} ms blocks — resolution ${FINE_BLOCK_MS} ms`;
  const rows: Array<[string, string, string]> = [
    ['blind.invite', 'blind: request → transferee INVITE', 'SIP'],
    ['blind.released', 'blind: request → transferer released (BYE at the caller)', 'SIP'],
    ['blind.packet', 'blind: request → first packet of the transferee at the caller', 'RTP'],
    ['blind.hears', 'blind: request → caller hears the transferee', fineStep],
    ['blind.hearsLab', 'blind: request → caller hears the transferee', labStep],
    ['attended.up', 'attended: Complete → caller\u2019s new call up', 'SIP'],
    ['attended.released', 'attended: Complete → transferer released', 'SIP'],
    ['attended.packet', 'attended: Complete → first packet of the transferee at the caller', 'RTP'],
    ['attended.hears', 'attended: Complete → caller hears the transferee', fineStep],
    ['attended.hearsLab', 'attended: Complete → caller hears the transferee', labStep],
    ['safe.invite', 'safe blind: request → our leg\u2019s INVITE at the transferee', 'SIP'],
    ['safe.answered', 'safe blind: request → the transferee answers our leg (it answers 50 ms after ringing)', 'SIP'],
    ['safe.up', 'safe blind: request → caller\u2019s new call up', 'SIP'],
    ['safe.released', 'safe blind: request → transferer released', 'SIP'],
    ['safe.packet', 'safe blind: request → first packet of the transferee at the caller', 'RTP'],
    ['safe.hears', 'safe blind: request → caller hears the transferee', fineStep],
    ['safe.hearsLab', 'safe blind: request → caller hears the transferee', labStep],
    ['safe.gapRefer', 'safe blind hand-over: transferee answers our leg → REFER with Replaces at the caller', 'SIP'],
    ['safe.gapInvite', 'safe blind hand-over: transferee answers our leg → the caller\u2019s INVITE with Replaces at the transferee', 'SIP'],
    ['safe.gapPacket', 'safe blind hand-over: transferee answers our leg → first packet of the caller', 'RTP'],
    ['safe.gap', 'safe blind hand-over: transferee answers our leg → transferee hears the caller', fineStep],
  ];
  const loadAfter = loadavg();
  console.info(`\ntransfer bench (${runs} rounds, interleaved, alternating which side goes first; ${((Date.now() - t0) / 1000).toFixed(0)} s; ${dropped} pairs dropped after a time-out)`);
  console.info(`load average before ${loadBefore.map((x) => x.toFixed(1)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(1)).join(' ')} (2 cores)`);
  const results = rows.map(([key, label, how]) => {
    const c = consoleS[key] ?? [];
    const b = bareS[key] ?? [];
    const sc = stats(c);
    const sb = stats(b);
    const added = sc.median - sb.median;
    const pct = (added / sb.median) * 100;
    console.info(`\n${label}   [${how}]`);
    console.info(formatStats('  console', sc));
    console.info(formatStats('  bare JsSIP', sb));
    console.info(`  console − bare: ${formatAdded(c, b)}; ${pct >= 0 ? '+' : ''}${pct.toFixed(1)} % at the median`);
    return { key, label, how, console: sc, bare: sb, addedMs: added, addedPct: pct };
  });
  const med = (s: Series, k: string) => stats(s[k] ?? []).median;
  console.info('\naction → caller hears the transferee (fine detector, medians): console / bare');
  for (const [k, label] of [['blind.hears', 'blind (request)'], ['attended.hears', 'attended (Complete)'], ['safe.hears', 'safe blind (request)']] as const) {
    console.info(`  ${label.padEnd(22)} ${med(consoleS, k).toFixed(1)} / ${med(bareS, k).toFixed(1)} ms`);
  }
  const out = join(ROOT, 'test-results', 'lab');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'transfer-bench.json'), JSON.stringify({ when: new Date().toISOString(), runs, loadBefore, loadAfter, results, raw: { console: consoleS, bare: bareS } }, null, 2));
}
