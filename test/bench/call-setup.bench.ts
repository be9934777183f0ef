/**
 * Where the milliseconds of an outgoing call go: the agent dials (the
 * calls:dial request as the UI sends it, through the real router) a SIP.js
 * peer that answers at once, and every step on the way is timed on one clock
 * — the media-host RPCs (microphone, peer connection, offer, local
 * description, ICE gathering), the INVITE leaving the console's WebSocket
 * and reaching the callee, the 200 OK coming back, the answer applied and the
 * `established` snapshot pushed — against bare SIP.js calling the same peer
 * from its own page, interleaved round by round in ONE lab run.
 *
 * The console is the real core with its real media host (test/lab/console-fixture.ts);
 * the link between them is the harness's (playwright bindings and evaluate),
 * where the app uses a MessagePort: the bench measures that hop on its own
 * (an RPC that does nothing, `host.stats`) so it can be told apart.
 *
 *   npm run bench -- call-setup        (SETUP_BENCH_RUNS=N, default 30)
 *
 * Needs the built media host (npm run bench builds first) and a loopback-only
 * namespace: outside one, run() re-runs itself under `unshare --net`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { CallSnapshot } from '../../preload/contract';
import { startConsole } from '../lab/console-fixture';
import { startLab } from '../lab/lab';
import { formatAdded, formatStats, measureCallSetup, stats } from '../lab/measure';
import { epochNow, inLabNamespace, inOrder, ROOT } from './lab-tools';

const NAME = 'call-setup';

interface Mark {
  what: string;
  t: number;
}

/** Timestamps what crosses the media link (sent by main, replies and events from the host). */
function watchLink(link: { post(message: unknown): void; onMessage(listener: (message: unknown) => void): () => void }, marks: Mark[], candidates: string[]) {
  const ops = new Map<number, string>();
  const post = link.post.bind(link);
  link.post = (message: unknown) => {
    const m = message as { kind: string; id?: number; op?: string; request?: { op: string } };
    const t = epochNow();
    if (m.kind === 'rpc') {
      ops.set(m.id!, m.request!.op);
      marks.push({ what: `${m.request!.op} sent`, t });
    } else if (m.kind === 'sync') marks.push({ what: `${m.op} sent`, t });
    post(message);
  };
  return link.onMessage((message) => {
    const m = message as { kind: string; id?: number; type?: string; candidate?: unknown; snapshot?: { iceGatheringState?: string } };
    if (m.kind === 'event' && m.type === 'icecandidate' && m.candidate) candidates.push((m.candidate as { candidate: string }).candidate);
    const t = epochNow();
    if (m.kind === 'reply') marks.push({ what: `${ops.get(m.id!) ?? '?'} replied`, t });
    else if (m.kind === 'event' && m.type === 'icecandidate') {
      const c = m.candidate as { candidate?: string } | null;
      // "candidate:… 1 udp 2122260223 127.0.0.1 40000 typ host …": the transport is the third field.
      marks.push({ what: c ? `candidate ${c.candidate?.split(' ')[2]?.toLowerCase() ?? '?'}` : 'null candidate', t });
    } else if (m.kind === 'event' && m.type === 'icegatheringstatechange' && m.snapshot?.iceGatheringState === 'complete') marks.push({ what: 'gathering complete', t });
  });
}

/** The INVITE leaving and its 200 OK arriving on the console's WebSocket. */
function watchSocket(marks: Mark[]): () => void {
  const proto = WebSocket.prototype as unknown as { send: (data: unknown, ...rest: unknown[]) => void; emit: (e: string | symbol, ...a: unknown[]) => boolean };
  const send = proto.send;
  const emit = proto.emit;
  proto.send = function (this: unknown, data: unknown, ...rest: unknown[]) {
    if (typeof data === 'string' && data.startsWith('INVITE ')) marks.push({ what: 'INVITE sent', t: epochNow() });
    return send.call(this, data, ...rest);
  };
  proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
    if (event === 'message') {
      const d = args[0];
      const text = typeof d === 'string' ? d : Buffer.isBuffer(d) ? d.toString('utf8') : '';
      if (text.startsWith('SIP/2.0 200') && /^CSeq:\s*\d+ INVITE/im.test(text)) marks.push({ what: '200 OK received', t: epochNow() });
    }
    return emit.call(this, event, ...args);
  };
  return () => {
    proto.send = send;
    proto.emit = emit;
  };
}

export async function run(): Promise<void> {
  if (!inLabNamespace(NAME)) return;
  const runs = Number(process.env.SETUP_BENCH_RUNS ?? 30);
  const loadBefore = loadavg();
  const lab = await startLab({ name: 'bench-setup', peers: [{ name: 'caller', signal: 'caller' }, { name: 'callee', signal: 'transferee', incoming: { mode: 'answer' } }] });
  const marks: Mark[] = [];
  const unwatchSocket = watchSocket(marks);
  const agent = await startConsole(lab, { user: '1001' });
  const candidates: string[] = [];
  const unwatchLink = watchLink(agent.host.link, marks, candidates);
  const caller = lab.peer('caller');
  const callee = lab.peer('callee');
  const steps: Record<string, number[]> = {};
  const bareSetup: number[] = [];
  const bareInvite: number[] = [];
  const consoleSetup: number[] = [];
  const consoleInvite: number[] = [];
  const linkRtt: number[] = [];
  const note = (k: string, v: number) => (steps[k] ??= []).push(v);

  const consoleRound = async () => {
    await callee.setIncoming({ mode: 'answer' });
    marks.length = 0;
    candidates.length = 0;
    const t0 = epochNow();
    const call = await agent.request<CallSnapshot>('calls:dial', { target: callee.uri });
    const returned = epochNow();
    const inc = await callee.waitForIncoming();
    const est = await agent.until(() => agent.calls().find((c) => c.id === call.id && c.state === 'established'), 15_000, 'established');
    const established = epochNow();
    void est;
    const at = (what: string) => marks.find((m) => m.what === what)?.t;
    const invite = callee.mark('invite-received', inc)!;
    const points: Array<[string, number | undefined]> = [
      ['dial request answered by main', returned],
      ['microphone asked (stream.open sent)', at('stream.open sent')],
      ['microphone open (stream.open replied)', at('stream.open replied')],
      ['peer connection created (pc.create sent)', at('pc.create sent')],
      ['offer asked (pc.createOffer sent)', at('pc.createOffer sent')],
      ['offer made (pc.createOffer replied)', at('pc.createOffer replied')],
      ['local description set (replied)', at('pc.setLocalDescription replied')],
      ['first ICE candidate (udp)', at('candidate udp')],
      ['first tcp candidate', at('candidate tcp')],
      ['ICE gathering complete (state)', at('gathering complete')],
      ['end-of-candidates event', at('null candidate')],
      ['INVITE sent', at('INVITE sent')],
      ['INVITE at the callee', invite],
      ['200 OK received', at('200 OK received')],
      ['answer applied (setRemoteDescription replied)', marks.filter((m) => m.what === 'pc.setRemoteDescription replied').at(-1)?.t],
      ['established seen by the UI transport', established],
    ];
    for (const [k, t] of points) if (t !== undefined) note(k, t - t0);
    consoleSetup.push(established - t0);
    consoleInvite.push(invite - t0);
    // The link's own hop: an RPC the host answers at once.
    const r0 = epochNow();
    await agent.core.telephony.media!.listDevices();
    linkRtt.push(epochNow() - r0);
    await agent.request('calls:hangup', { callId: call.id });
    await agent.until(() => agent.live().length === 0, 10_000, 'console call ended');
    await lab.reset();
  };
  const bareRound = async () => {
    const [s] = await measureCallSetup(lab, caller, callee, 1);
    bareSetup.push(s!.setupMs);
    bareInvite.push(s!.inviteArrivalMs);
  };

  try {
    await consoleRound();
    await bareRound();
    for (const k of Object.keys(steps)) delete steps[k];
    consoleSetup.length = consoleInvite.length = bareSetup.length = bareInvite.length = linkRtt.length = 0;
    for (let i = 0; i < runs; i++) await inOrder(i, consoleRound, bareRound);
  } finally {
    unwatchLink();
    unwatchSocket();
    await agent.stop();
    await lab.stop();
  }
  const loadAfter = loadavg();
  const lines = [
    `load average before ${loadBefore.map((x) => x.toFixed(1)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(1)).join(' ')} (2 cores)`,
    formatStats('bare SIP.js call() → established', stats(bareSetup)),
    formatStats('console calls:dial → established', stats(consoleSetup)),
    `    ratio (median): ×${(stats(consoleSetup).median / stats(bareSetup).median).toFixed(2)}; ${formatAdded(consoleSetup, bareSetup)}`,
    formatStats('bare SIP.js call() → INVITE at callee', stats(bareInvite)),
    formatStats('console calls:dial → INVITE at callee', stats(consoleInvite)),
    `    ${formatAdded(consoleInvite, bareInvite)}`,
    formatStats('media link round trip (devices.list)', stats(linkRtt)),
    'console timeline, ms after the calls:dial request (median, p95):',
    ...Object.entries(steps).map(([k, v]) => `  ${k.padEnd(48)} ${stats(v).median.toFixed(1).padStart(7)} ${stats(v).p95.toFixed(1).padStart(7)}`),
    `candidates the media host gathered per call (last call): ${candidates.slice(-12).map((c) => c.split(' ').slice(2, 8).join(' ')).join(' | ')}`,
    `command: npm run bench -- ${NAME}   (n=${runs} each, interleaved, alternating which goes first)`,
  ];
  for (const l of lines) console.log(l);
  const dir = join(ROOT, 'test-results/lab');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${NAME}.json`), JSON.stringify({ when: new Date().toISOString(), runs, loadBefore, loadAfter, bareSetup, bareInvite, consoleSetup, consoleInvite, linkRtt, steps }, null, 2));
}
