/**
 * The demo switchboard over real WebSockets, with scripted SIP clients that
 * write their messages by hand: registration (granted expiry, 423, expiry),
 * routing a call between two registered users through the proxy (Via,
 * Record-Route, ACK and BYE end to end), the queue (waiting, offered to the
 * free member, CANCEL while waiting, a refused offer waiting again), a party
 * that disappears mid-call, and a clean stop.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { silentLogger } from '../../../main/logging/logger';
import { header, headers, parseSip, type SipMessage, type SipRequest } from '../../../main/demo/sip/message';
import { startSwitchboard, type Switchboard } from '../../../main/demo/switchboard';
import { until } from '../../support/until';

const DOMAIN = 'demo.invalid';
const id = () => randomBytes(5).toString('hex');

/** A hand-written SIP user agent on one WebSocket: it sends what a test writes and keeps what it gets. */
class RawUa {
  readonly host = `${id()}.invalid`;
  readonly received: SipMessage[] = [];
  private constructor(
    readonly user: string,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (data) => {
      const m = parseSip(data.toString());
      if (m) this.received.push(m);
    });
  }

  static async connect(url: string, user: string): Promise<RawUa> {
    const ws = new WebSocket(url, 'sip');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new RawUa(user, ws);
  }

  get contact() {
    return `sip:${this.user}@${this.host};transport=ws`;
  }

  send(lines: string[], body = '') {
    this.ws.send(`${lines.join('\r\n')}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  }

  async next(match: (m: SipMessage) => boolean, what: string, ms = 3000): Promise<SipMessage> {
    return until(() => this.received.find(match), { timeoutMs: ms, what: `${this.user}: ${what}` });
  }

  register(expires: number, callId = id()) {
    this.send([
      `REGISTER sip:${DOMAIN} SIP/2.0`,
      `Via: SIP/2.0/WS ${this.host};branch=z9hG4bK${id()}`,
      'Max-Forwards: 70',
      `From: <sip:${this.user}@${DOMAIN}>;tag=${id()}`,
      `To: <sip:${this.user}@${DOMAIN}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 REGISTER',
      `Contact: <${this.contact}>;expires=${expires}`,
    ]);
    return callId;
  }

  invite(to: string, o: { callId?: string; branch?: string; tag?: string } = {}) {
    const call = { callId: o.callId ?? id(), branch: o.branch ?? `z9hG4bK${id()}`, tag: o.tag ?? id(), to };
    this.send(
      [
        `INVITE sip:${to}@${DOMAIN} SIP/2.0`,
        `Via: SIP/2.0/WS ${this.host};branch=${call.branch}`,
        'Max-Forwards: 70',
        `From: "Caller ${this.user}" <sip:${this.user}@${DOMAIN}>;tag=${call.tag}`,
        `To: <sip:${to}@${DOMAIN}>`,
        `Call-ID: ${call.callId}`,
        'CSeq: 1 INVITE',
        `Contact: <${this.contact}>`,
        'Content-Type: application/sdp',
      ],
      'v=0\r\n',
    );
    return call;
  }

  cancel(call: { callId: string; branch: string; tag: string; to: string }) {
    this.send([
      `CANCEL sip:${call.to}@${DOMAIN} SIP/2.0`,
      `Via: SIP/2.0/WS ${this.host};branch=${call.branch}`,
      'Max-Forwards: 70',
      `From: "Caller ${this.user}" <sip:${this.user}@${DOMAIN}>;tag=${call.tag}`,
      `To: <sip:${call.to}@${DOMAIN}>`,
      `Call-ID: ${call.callId}`,
      'CSeq: 1 CANCEL',
    ]);
  }

  /** Answers a request it received, as a user agent server (copies Via, From, To, Call-ID, CSeq). */
  answer(req: SipMessage, status: number, reason: string, toTag: string) {
    const copied = req.headers.filter((h) => ['via', 'from', 'call-id', 'cseq', 'record-route'].includes(h.name.toLowerCase()));
    const to = header(req, 'to')!;
    this.send([
      `SIP/2.0 ${status} ${reason}`,
      ...copied.filter((h) => h.name.toLowerCase() === 'via').map((h) => `Via: ${h.value}`),
      ...copied.filter((h) => h.name.toLowerCase() !== 'via').map((h) => `${h.name}: ${h.value}`),
      `To: ${to.includes(';tag=') ? to : `${to};tag=${toTag}`}`,
      `Contact: <${this.contact}>`,
    ]);
  }

  /** An in-dialog request towards `target` (its Contact), with the route the dialog learnt. */
  inDialog(method: 'ACK' | 'BYE', o: { target: string; callId: string; from: string; to: string; cseq: number; route: string[] }) {
    this.send([
      `${method} ${o.target} SIP/2.0`,
      `Via: SIP/2.0/WS ${this.host};branch=z9hG4bK${id()}`,
      'Max-Forwards: 70',
      ...o.route.map((r) => `Route: ${r}`),
      `From: ${o.from}`,
      `To: ${o.to}`,
      `Call-ID: ${o.callId}`,
      `CSeq: ${o.cseq} ${method}`,
    ]);
  }

  close() {
    this.ws.close();
  }

  closed() {
    return new Promise<void>((resolve) => (this.ws.readyState === WebSocket.CLOSED ? resolve() : this.ws.once('close', () => resolve())));
  }
}

const isRequest = (method: string) => (m: SipMessage): m is SipRequest => m.kind === 'request' && m.method === method;
const isResponse = (status: number, method?: string) => (m: SipMessage) => m.kind === 'response' && m.status === status && (!method || m.cseqMethod === method);

let board: Switchboard | null = null;
const uas: RawUa[] = [];
let clock = 1_000_000;

async function start(o: { members?: string[]; ringMs?: number; restMs?: number } = {}) {
  clock = 1_000_000;
  board = await startSwitchboard({
    domain: DOMAIN,
    queue: { name: 'Support', user: '500', members: (o.members ?? ['agent']).map((user) => ({ user, tier: 'agent' as const })), options: { ringMs: o.ringMs ?? 20_000, restMs: o.restMs ?? 8_000 } },
    knownUsers: (u) => ['agent', '201', '202'].includes(u),
    registrar: { minExpiresSec: 2 },
    log: silentLogger,
    now: () => clock,
    tickMs: 60_000, // the test ticks by hand, with its own clock
  });
  return board;
}

async function ua(user: string, register = true) {
  const u = await RawUa.connect(board!.sipUrl, user);
  uas.push(u);
  if (register) {
    u.register(600);
    await u.next(isResponse(200, 'REGISTER'), 'registered');
  }
  return u;
}

afterEach(async () => {
  for (const u of uas.splice(0)) u.close();
  await board?.stop();
  board = null;
});

describe('demo switchboard', () => {
  it('refuses connections without the session token', async () => {
    await start();
    const url = board!.sipUrl.replace(/\/[^/]+$/, '/wrong');
    const ws = new WebSocket(url, 'sip');
    const outcome = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });

  it('registers with the expiry it grants, refuses a too brief one, and forgets a binding that expired', async () => {
    await start();
    const anna = await ua('201', false);
    anna.register(1);
    const brief = await anna.next(isResponse(423), '423');
    expect(header(brief, 'min-expires')).toBe('2');
    anna.register(5000);
    const ok = await anna.next(isResponse(200, 'REGISTER'), '200');
    expect(header(ok, 'contact')).toBe(`<${anna.contact}>;expires=3600`);
    expect(board!.proxy.isFree('201')).toBe(true);

    anna.register(3);
    await until(() => anna.received.filter(isResponse(200, 'REGISTER')).length === 2);
    clock += 3_500;
    board!.proxy.tick();
    expect(board!.proxy.registrar.isRegistered('201', clock)).toBe(false);
    const caller = await ua('+4930555', false);
    caller.invite('201');
    await caller.next(isResponse(480), '480 for an expired user');
    caller.invite('999');
    await caller.next(isResponse(404), '404 for an unknown user');
  });

  it('routes a call between two users: Via and Record-Route added, answers back, ACK and BYE end to end', async () => {
    await start();
    const agent = await ua('agent');
    const anna = await ua('201');
    const call = anna.invite('agent');
    await anna.next(isResponse(100), '100 Trying');
    const invite = (await agent.next(isRequest('INVITE'), 'INVITE')) as SipRequest;
    expect(invite.uri).toBe(agent.contact);
    expect(headers(invite, 'via')).toHaveLength(2);
    expect(headers(invite, 'via')[0]).toMatch(/^SIP\/2\.0\/WS switchboard\.invalid;branch=z9hG4bK/);
    expect(header(invite, 'record-route')).toBe('<sip:switchboard.invalid;transport=ws;lr>');
    expect(header(invite, 'max-forwards')).toBe('69');
    expect(invite.body).toBe('v=0\r\n');

    agent.answer(invite, 180, 'Ringing', 'agenttag');
    await anna.next(isResponse(180), '180');
    expect([...board!.proxy.dialogs.activity()]).toEqual(expect.arrayContaining([['agent', 'ringing']]));
    agent.answer(invite, 200, 'OK', 'agenttag');
    const ok = await anna.next(isResponse(200, 'INVITE'), '200');
    expect(headers(ok, 'via')).toHaveLength(1);
    expect(header(ok, 'record-route')).toBe('<sip:switchboard.invalid;transport=ws;lr>');
    expect(board!.proxy.dialogs.activity().get('agent')).toBe('busy');

    const dialog = { target: agent.contact, callId: call.callId, from: header(ok, 'from')!, to: header(ok, 'to')!, route: [header(ok, 'record-route')!] };
    anna.inDialog('ACK', { ...dialog, cseq: 1 });
    const ack = await agent.next(isRequest('ACK'), 'ACK');
    expect(headers(ack, 'route')).toEqual([]);
    anna.inDialog('BYE', { ...dialog, cseq: 2 });
    const bye = await agent.next(isRequest('BYE'), 'BYE');
    agent.answer(bye, 200, 'OK', 'agenttag');
    await anna.next(isResponse(200, 'BYE'), '200 for BYE');
    expect(board!.proxy.dialogs.activity().size).toBe(0);
  });

  it('queues a caller until the agent is free, offers the call, and answers it through', async () => {
    await start();
    const caller = await ua('+4930111', false);
    const call = caller.invite('500');
    await caller.next(isResponse(100), '100 Trying');
    expect(board!.proxy.queue.figures(clock, (u) => board!.proxy.isFree(u))).toEqual({ waiting: 1, longestWaitSec: 0, availableAgents: 0 });
    clock += 4_000;
    expect(board!.proxy.queue.figures(clock, () => false).longestWaitSec).toBe(4);

    const agent = await ua('agent');
    const invite = (await agent.next(isRequest('INVITE'), 'the queued INVITE')) as SipRequest;
    expect(invite.callId).toBe(call.callId);
    expect(header(invite, 'from')).toContain('Caller +4930111');
    agent.answer(invite, 200, 'OK', 'a1');
    await caller.next(isResponse(200, 'INVITE'), '200');
    expect(board!.proxy.queue.entries()).toHaveLength(0);
  });

  it('a caller who gives up while waiting gets 487 and leaves the queue', async () => {
    await start();
    const caller = await ua('+4930222', false);
    const call = caller.invite('500');
    await caller.next(isResponse(100), '100');
    caller.cancel(call);
    await caller.next(isResponse(200, 'CANCEL'), '200 for CANCEL');
    await caller.next(isResponse(487, 'INVITE'), '487');
    expect(board!.proxy.queue.entries()).toHaveLength(0);
    expect(board!.proxy.dialogs.all()).toHaveLength(0);
  });

  it('an offer the member refuses is ACKed by the switchboard and the caller waits for the next free member', async () => {
    await start({ members: ['agent', '201'], restMs: 5_000 });
    const agent = await ua('agent');
    const caller = await ua('+4930333', false);
    caller.invite('500');
    const first = (await agent.next(isRequest('INVITE'), 'offer to agent')) as SipRequest;
    agent.answer(first, 486, 'Busy Here', 'busy1');
    await agent.next(isRequest('ACK'), 'the switchboard ACKs the 486');
    expect(caller.received.some((m) => m.kind === 'response' && m.status === 486)).toBe(false);
    expect(board!.proxy.queue.entries()[0]?.offeredTo).toBeNull();

    const anna = await ua('201');
    const second = (await anna.next(isRequest('INVITE'), 'offer to the next member')) as SipRequest;
    anna.answer(second, 200, 'OK', 'anna');
    await caller.next(isResponse(200, 'INVITE'), '200 from Anna');
  });

  it('an offer that rings too long is taken back with CANCEL and the caller waits again', async () => {
    await start({ ringMs: 5_000 });
    const agent = await ua('agent');
    const caller = await ua('+4930444', false);
    caller.invite('500');
    const offer = (await agent.next(isRequest('INVITE'), 'offer')) as SipRequest;
    agent.answer(offer, 180, 'Ringing', 'r1');
    await caller.next(isResponse(180), '180');
    clock += 6_000;
    board!.proxy.tick();
    const cancel = await agent.next(isRequest('CANCEL'), 'CANCEL for the ringing offer');
    agent.answer(cancel, 200, 'OK', 'r1');
    agent.answer(offer, 487, 'Request Terminated', 'r1');
    await agent.next(isRequest('ACK'), 'ACK of the 487');
    await until(() => board!.proxy.queue.entries()[0]?.offeredTo === null, { what: 'waiting again' });
    expect(caller.received.some((m) => m.kind === 'response' && m.status >= 300)).toBe(false);
  });

  it('a party that disappears mid-call: the other side gets a BYE in its name', async () => {
    await start();
    const agent = await ua('agent');
    const anna = await ua('201');
    const call = anna.invite('agent');
    const invite = (await agent.next(isRequest('INVITE'), 'INVITE')) as SipRequest;
    agent.answer(invite, 200, 'OK', 'agenttag');
    const ok = await anna.next(isResponse(200, 'INVITE'), '200');
    anna.inDialog('ACK', { target: agent.contact, callId: call.callId, from: header(ok, 'from')!, to: header(ok, 'to')!, route: [], cseq: 1 });
    await agent.next(isRequest('ACK'), 'ACK');

    anna.close();
    const bye = (await agent.next(isRequest('BYE'), 'BYE for the vanished caller')) as SipRequest;
    expect(bye.callId).toBe(call.callId);
    expect(header(bye, 'from')).toBe(header(ok, 'from'));
    expect(header(bye, 'to')).toContain('tag=agenttag');
    expect(header(bye, 'cseq')).toBe('2 BYE');
    expect(board!.proxy.dialogs.all()).toHaveLength(0);
    expect(board!.proxy.registrar.isRegistered('201', clock)).toBe(false);
  });

  it('a callee that disappears while its phone rings: the caller gets 480', async () => {
    await start();
    const agent = await ua('agent');
    const anna = await ua('201');
    anna.invite('agent');
    await agent.next(isRequest('INVITE'), 'INVITE');
    agent.close();
    await anna.next(isResponse(480, 'INVITE'), '480');
  });

  it('stops cleanly: connections closed, no timer, nothing held', async () => {
    const b = await start();
    const agent = await ua('agent');
    const caller = await ua('+4930555', false);
    caller.invite('500');
    await agent.next(isRequest('INVITE'), 'offer');
    expect(b.resources().connections).toBe(2);
    await b.stop();
    await Promise.all([agent.closed(), caller.closed()]);
    expect(b.resources()).toEqual({ connections: 0, timers: 0 });
    expect(b.proxy.counters()).toEqual({ clientTransactions: 0, serverTransactions: 0, hosts: 0, dialogs: 0, queued: 0 });
    board = null;
  });
});
