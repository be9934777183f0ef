/**
 * Incoming INVITE → ringing call pushed by main, on the REAL path and
 * without a UI page: the time main adds over bare JsSIP, side by side in one
 * lab run (Kamailio on loopback, a SIP.js caller in Chromium), and where it goes.
 *
 * The console is the real core (test/lab/console-fixture.ts: settings, the
 * history file, the SIP line, the call and transfer services, the media
 * client over the real media-host page) — history is written, the ringer is
 * started in the media host, the incoming-call alert is raised, and the router
 * validates the snapshot list against the contract before it is handed to the
 * UI transport. Nothing is stubbed; hold music plays no part in ringing. The
 * desktop shell's notification (Electron) is the one alert not here: headless
 * there is no shell.
 *
 * Bare: a plain JsSIP UA on our WebSocket in the same Node process, timed at
 * its `newRTCSession`. Both clocks start when the INVITE's WebSocket message
 * reaches that UA's socket. The caller alternates between the two, and which
 * goes first alternates round by round; every call is declined.
 *
 * Main's steps are timed by wrapping them in place (the resilient recorder's
 * callStarted, the media client's startRinging, the router's push), so the
 * report says in which order they ran in this build. The push's cost in the
 * app also includes Electron serialising the list (webContents.send, V8's
 * structured clone): estimated beside it with v8.serialize on the same list.
 *
 *   npm run bench -- console-ringing        (RINGING_BENCH_RUNS=N, default 60)
 *
 * Needs the built media host (npm run bench builds first) and a loopback-only
 * namespace: outside one, run() re-runs itself under `unshare --net`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import type { CallSnapshot } from '../../preload/contract';
import { ResilientRecorder } from '../../main/history/resilient-recorder';
import { startConsole } from '../lab/console-fixture';
import { startLab } from '../lab/lab';
import { formatAdded, formatStats, pairedDifferences, stats } from '../lab/measure';
import { epochNow, hookInviteArrivals, inLabNamespace, inOrder, ROOT, startBareJsSip } from './lab-tools';

const NAME = 'console-ringing';

interface Marks {
  recorderStart?: number;
  recorderEnd?: number;
  ringer?: number;
  ringerReplied?: number;
  pushStart?: number;
  pushEnd?: number;
  serializeMs?: number;
}

export async function run(): Promise<void> {
  if (!inLabNamespace(NAME)) return;
  const runs = Number(process.env.RINGING_BENCH_RUNS ?? 60);
  const loadBefore = loadavg();
  const arrivals = hookInviteArrivals();
  const lab = await startLab({ name: 'bench-ringing', peers: [{ name: 'caller', signal: 'caller' }] });
  const marks: Marks = {};

  // The recorder the call service writes through (main/history/resilient-recorder.ts), timed in place.
  const recorderProto = ResilientRecorder.prototype as unknown as { callStarted: (...a: unknown[]) => void };
  const callStarted = recorderProto.callStarted;
  recorderProto.callStarted = function (this: unknown, ...args: unknown[]) {
    marks.recorderStart = epochNow();
    try {
      return callStarted.apply(this, args);
    } finally {
      marks.recorderEnd = epochNow();
    }
  };

  try {
    const agent = await startConsole(lab, { user: '1001' });
    const bare = await startBareJsSip(lab, '1002');
    const caller = lab.peer('caller');
    try {
      const media = agent.core.telephony.media!;
      const startRinging = media.startRinging.bind(media);
      media.startRinging = (volume) => {
        marks.ringer = epochNow();
        return startRinging(volume).finally(() => (marks.ringerReplied = epochNow()));
      };
      const router = agent.core.router as { push: (channel: { name: string }, payload: unknown) => void };
      const push = router.push.bind(router);
      router.push = (channel, payload) => {
        const ringing = channel.name === 'calls:changed' && (payload as CallSnapshot[]).some((c) => c.state === 'ringing');
        if (!ringing || marks.pushStart !== undefined) return push(channel, payload);
        marks.pushStart = epochNow();
        push(channel, payload);
        marks.pushEnd = epochNow();
        const s = performance.now();
        serialize(payload);
        marks.serializeMs = performance.now() - s;
      };

      const consoleRound = async () => {
        for (const k of Object.keys(marks)) delete marks[k as keyof Marks];
        const id = await caller.call(agent.uri);
        const ringing = await agent.until(() => agent.calls().find((c) => c.direction === 'incoming' && c.state === 'ringing'), 10_000, 'ringing');
        await agent.until(() => marks.ringerReplied, 5000, 'ringer started in the media host');
        const at = arrivals.last.get(agent.user)!;
        const m = { ...marks };
        await agent.request('calls:decline', { callId: ringing.id });
        await caller.waitForCallState(id, 'terminated');
        await agent.until(() => agent.live().length === 0, 10_000, 'console call ended');
        await lab.reset();
        return { at, m };
      };
      const bareRound = async () => {
        const seen = bare.nextIncoming();
        const id = await caller.call(`sip:1002@${lab.domain}`);
        const t = await seen;
        const at = arrivals.last.get('1002')!;
        await caller.waitForCallState(id, 'terminated');
        await lab.reset();
        return t - at;
      };

      // Warm-up, not counted.
      await consoleRound();
      await bareRound();

      const s = { bare: [] as number[], push: [] as number[], pushCall: [] as number[], serialize: [] as number[], recorder: [] as number[], recorderAt: [] as number[], ringer: [] as number[], ringerUp: [] as number[] };
      let historyBeforePush = 0;
      let ringerBeforePush = 0;
      for (let i = 0; i < runs; i++) {
        const [c, b] = await inOrder(i, consoleRound, bareRound);
        const m = c.m;
        s.bare.push(b);
        s.push.push(m.pushEnd! - c.at);
        s.pushCall.push(m.pushEnd! - m.pushStart!);
        s.serialize.push(m.serializeMs!);
        s.recorder.push(m.recorderEnd! - m.recorderStart!);
        s.recorderAt.push(m.recorderStart! - c.at);
        s.ringer.push(m.ringer! - c.at);
        s.ringerUp.push(m.ringerReplied! - c.at);
        if (m.recorderEnd! <= m.pushStart!) historyBeforePush++;
        if (m.ringer! <= m.pushStart!) ringerBeforePush++;
      }
      const loadAfter = loadavg();
      const lines = [
        `load average before ${loadBefore.map((x) => x.toFixed(1)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(1)).join(' ')} (2 cores)`,
        formatStats('INVITE at socket → bare JsSIP newRTCSession', stats(s.bare)),
        formatStats('INVITE at socket → ringing list pushed (main)', stats(s.push)),
        `    added by main: ${formatAdded(s.push, s.bare)}`,
        formatStats('    the push itself (contract check + transport)', stats(s.pushCall)),
        formatStats('    + v8.serialize of that list (≈ webContents.send)', stats(s.serialize)),
        formatStats('INVITE → history write starts', stats(s.recorderAt)),
        formatStats('    the history write (one transaction)', stats(s.recorder)),
        formatStats('INVITE → ringer asked of the media host', stats(s.ringer)),
        formatStats('INVITE → the media host says it rings', stats(s.ringerUp)),
        `order in this build: history written before the push in ${historyBeforePush} of ${runs} rounds, ringer started before the push in ${ringerBeforePush} of ${runs}`,
        `command: npm run bench -- ${NAME}   (n=${runs} each, interleaved, alternating which goes first)`,
      ];
      for (const l of lines) console.log(l);
      const dir = join(ROOT, 'test-results/lab');
      mkdirSync(dir, { recursive: true });
      const perRound = pairedDifferences(s.push, s.bare);
      writeFileSync(join(dir, `${NAME}.json`), JSON.stringify({ when: new Date().toISOString(), runs, loadBefore, loadAfter, samples: s, perRound, historyBeforePush, ringerBeforePush }, null, 2));
    } finally {
      bare.ua.stop();
      await agent.stop();
    }
  } finally {
    recorderProto.callStarted = callStarted;
    await lab.stop();
    arrivals.restore();
  }
}
