/**
 * Hold → the held caller hears the music, with the media host's audio engine
 * awake (the hold comes 1 s after the last sound, the ringer) and asleep (7 s
 * after: an idle engine suspends its audio context after 5 s, and the hold
 * wakes it). One lab run, the two alternating round by round: the price of
 * letting an idle console render no audio.
 *
 * Clock: the agent's hold request (through the router) → the caller's phone
 * gets the re-INVITE, and → the first 10 ms block at the caller with sound
 * that is no party tone (./fine-ears.ts: music onset, resolution 10 ms).
 *
 *   npm run bench -- hold-music        (HOLD_BENCH_RUNS=N, default 12)
 */
import { loadavg } from 'node:os';
import { startConsole } from '../lab/console-fixture';
import { startLab } from '../lab/lab';
import { formatStats, stats } from '../lab/measure';
import { until } from '../support/until';
import { FINE_BLOCK_MS, firstOnsetAfter, forgetFineTracks, installFineEars } from './fine-ears';
import { epochNow, inLabNamespace, inOrder } from './lab-tools';

const NAME = 'hold-music';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<void> {
  if (!inLabNamespace(NAME)) return;
  const runs = Number(process.env.HOLD_BENCH_RUNS ?? 12);
  const loadBefore = loadavg();
  const lab = await startLab({ name: 'bench-hold', peers: [{ name: 'caller', signal: 'caller' }] });
  const agent = await startConsole(lab);
  const caller = lab.peer('caller');
  await installFineEars(caller);
  const out = { awake: { reinvite: [] as number[], music: [] as number[] }, asleep: { reinvite: [] as number[], music: [] as number[] } };
  const round = (which: 'awake' | 'asleep') => async () => {
    const leg = caller.call(agent.uri);
    const call = await agent.answerIncoming();
    const id = await leg;
    await caller.waitForCallState(id, 'established');
    await sleep(which === 'awake' ? 1000 : 7000);
    const t0 = epochNow();
    await agent.request('calls:hold', { callId: call.id });
    const reinvite = await caller.waitForEvent((e) => e.type === 'reinvite' && e.call === id && e.t >= t0, 10_000, 'the hold re-INVITE');
    const music = await until(() => firstOnsetAfter(caller, 'other', t0), { timeoutMs: 10_000, intervalMs: 20, what: 'music at the caller' });
    out[which].reinvite.push(reinvite.t - t0);
    out[which].music.push(music.onset - t0);
    await agent.clear();
    await lab.reset();
    await forgetFineTracks(caller);
  };
  try {
    await round('awake')(); // warm-up, not counted
    out.awake.reinvite.length = out.awake.music.length = 0;
    for (let i = 0; i < runs; i++) await inOrder(i, round('awake'), round('asleep'));
  } finally {
    await agent.stop();
    await lab.stop();
  }
  console.log(`load average before ${loadBefore.map((x) => x.toFixed(1)).join(' ')}, after ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores)`);
  console.log(formatStats('engine awake: hold → re-INVITE at the caller', stats(out.awake.reinvite)));
  console.log(formatStats('engine awake: hold → caller hears music', stats(out.awake.music)));
  console.log(formatStats('engine asleep: hold → re-INVITE at the caller', stats(out.asleep.reinvite)));
  console.log(formatStats('engine asleep: hold → caller hears music', stats(out.asleep.music)));
  console.log(`music onset: fine detector, ${FINE_BLOCK_MS} ms blocks; command: npm run bench -- ${NAME}   (n=${runs} each, alternating)`);
}
