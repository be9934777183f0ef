/**
 * Incoming INVITE → ringing call in the UI state: the time the console adds
 * over the bare JsSIP event, side by side in one run (target ≤ 30 ms, docs/testing.md).
 *
 * Both user agents register at the same scripted SIP peer over a real local
 * WebSocket (test/integration/sip-peer.ts): `bare` is a plain JsSIP UA on our
 * WsSocket, timed at its `newRTCSession` event; `console` is the real SIP line
 * + call service, timed when the `calls:changed` snapshot with the ringing
 * call is published (what the router pushes to the UI). The clock starts when
 * the peer hands the INVITE to its WebSocket. Calls alternate; each is declined.
 *
 *   npm run bench -- console-ringing
 */
import { UA } from 'jssip';
import type { CallSnapshot } from '../../preload/contract';
import { createCallService } from '../../main/calls/call/service';
import { silentLogger } from '../../main/logging/logger';
import { createLine } from '../../main/sip/line';
import { WsSocket } from '../../main/sip/ws-socket';
import { fakeMicrophone, installFakeWebRTC, SipPeer } from '../integration/sip-peer';
import { hurriedClock } from '../support/clock';

const ROUNDS = 60;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export async function run(): Promise<void> {
  const restore = installFakeWebRTC();
  const peer = await SipPeer.start();
  peer.users.set('1002', 'secret-1002');
  try {
    // --- the console -------------------------------------------------------
    const line = createLine(
      { wsUrl: peer.url, sipUri: 'sip:1001@lab.test', password: 'secret-1001', acceptSelfSigned: false },
      { log: silentLogger, media: fakeMicrophone(), keepAliveMs: 0 },
    );
    let onRinging: ((c: CallSnapshot) => void) | null = null;
    const service = createCallService({
      recorder: { callStarted() {}, callAnswered() {}, callEnded() {}, holdStarted() {}, holdEnded() {} },
      alerts: { ringer() {}, incoming() {}, dismiss() {}, missed() {}, problem() {} },
      music: { set: () => Promise.resolve(null) }, // nothing is held in this benchmark
      clock: hurriedClock(10),
      preferences: () => ({ dtmf: 'info', declineWith: 'busy' }),
      // The router validates the snapshot list against the contract schema before pushing: include that cost.
      publish: (list) => {
        const ringing = list.find((c) => c.state === 'ringing');
        if (ringing && onRinging) onRinging(ringing);
      },
      log: silentLogger,
    });
    service.attach(line);
    const registered = new Promise<void>((r) => line.onStatus((s) => s.state === 'registered' && r()));
    line.start();
    await registered;

    // --- bare JsSIP ----------------------------------------------------------
    const bare = new UA({ sockets: [new WsSocket({ url: peer.url, keepAliveMs: 0 })], uri: 'sip:1002@lab.test', password: 'secret-1002', register: false });
    let onBare: (() => void) | null = null;
    bare.on('newRTCSession', (e: { originator: string; session: { terminate(o: unknown): void } }) => {
      if (e.originator !== 'remote') return;
      onBare?.();
      // After JsSIP's automatic 180 (sent once newRTCSession listeners return).
      setImmediate(() => e.session.terminate({ status_code: 486 }));
    });
    await new Promise<void>((r) => {
      bare.on('connected', () => bare.register());
      bare.on('registered', () => r());
      bare.start();
    });

    const { contract } = await import('../../preload/contract');
    const consoleMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < ROUNDS * 2; i++) {
      const toConsole = i % 2 === 0;
      const t0 = performance.now();
      const seen = new Promise<number>((resolve) => {
        if (toConsole) {
          onRinging = (c) => {
            contract.calls.changed.payload.parse(service.list()); // what router.push does before sending
            onRinging = null;
            resolve(performance.now() - t0);
            setImmediate(() => service.decline(c.id, 486));
          };
        } else {
          onBare = () => {
            onBare = null;
            resolve(performance.now() - t0);
          };
        }
      });
      const { answered } = await peer.callConsole(toConsole ? '1001' : '1002');
      const ms = await seen;
      await answered;
      (toConsole ? consoleMs : bareMs).push(ms);
      await new Promise((r) => setTimeout(r, 15)); // let the ended card go (10 ms) so every round starts alone
    }
    const median = (xs: number[]) => pct(xs, 50);
    const added = median(consoleMs) - median(bareMs);
    console.log(`incoming INVITE → ringing, n=${ROUNDS} each (scripted SIP peer on loopback, 2 shared cores)`);
    console.log(`  bare JsSIP newRTCSession      median ${median(bareMs).toFixed(2)} ms   p95 ${pct(bareMs, 95).toFixed(2)} ms`);
    console.log(`  console ringing snapshot      median ${median(consoleMs).toFixed(2)} ms   p95 ${pct(consoleMs, 95).toFixed(2)} ms`);
    console.log(`  added by the console (median) ${added.toFixed(2)} ms   (target ≤ 30 ms: ${added <= 30 ? 'met' : 'NOT met'})`);
    bare.stop();
    await line.stop();
  } finally {
    await peer.stop();
    restore();
  }
}
