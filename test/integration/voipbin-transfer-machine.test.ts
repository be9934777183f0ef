/**
 * The blind rows of the scenario matrix that VoIPBIN supports, through the
 * same transfer machine, call service and timeline as SIP transfers — only
 * the backend differs: the real VoIPBIN backend (REST client + event socket)
 * against the local fake platform. B1: the platform hangs our leg up and
 * dials; the seed's blind releases the agent at "dialing", never reading that
 * hang-up as the caller leaving. B5: the platform refuses (a plain agent's
 * role) — the caller stays with the agent and the agent reads why. Safe blind
 * is refused before anything is sent (the platform drops the caller on a
 * failed blind transfer). Attended is the platform's own consult on our leg:
 * the transferer's hang-up completes it, cancel hangs the groupcall up, an
 * unanswered consult may not be left (the platform would drop the caller), and
 * a busy, unanswering or departing transferee gives the caller back. See
 * docs/transfers.md and docs/voipbin.md.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Preferences } from '../../preload/contract';
import { createCallService, type CallService } from '../../main/calls/call/service';
import { createTransferService, type TransferService, type TransferStepRecord } from '../../main/calls/transfer/service';
import { silentLogger } from '../../main/logging/logger';
import { createVoipbinClient, type VoipbinClient } from '../../main/platform/voipbin/client';
import { createVoipbinEvents, type VoipbinEvents } from '../../main/platform/voipbin/events';
import { createVoipbinTransferBackend, type VoipbinTransferBackend } from '../../main/platform/voipbin/transfer-backend';
import { fakeTelephony, type FakeTelephony } from '../support/call-leg';
import { FakeClock } from '../support/clock';
import { until } from '../support/until';
import { startFakeVoipbin, type FakeVoipbin } from '../support/voipbin-server';

const fast = { timeoutMs: 3_000, intervalMs: 5 };
let server: FakeVoipbin;
let clock: FakeClock;
let client: VoipbinClient;
let events: VoipbinEvents;
let backend: VoipbinTransferBackend;
let phone: FakeTelephony;
let calls: CallService;
let transfers: TransferService;
let steps: TransferStepRecord[];
let told: string[];

async function rig(username: 'agent1' | 'plain') {
  clock = new FakeClock(server.now);
  client = createVoipbinClient({ baseUrl: server.url, auth: { kind: 'login', username, password: 'secret' }, timeoutMs: 1_000 });
  events = createVoipbinEvents({
    url: () => client.eventsUrl(),
    topics: ['call', 'groupcall'].map((r) => `customer_id:${server.customerId}:${r}`),
    clock,
    log: silentLogger,
  });
  const agentLeg = server.addAgentLeg();
  backend = createVoipbinTransferBackend({
    client,
    events,
    platformCallId: async (callId) => (callId === 'c1' ? (agentLeg.id as string) : null),
    extensionDomain: server.sipDomain,
    log: silentLogger,
  });
  backend.onRefusal((_callId, message) => told.push(message));
  if (username === 'agent1') {
    events.start();
    await until(() => events.state().state === 'open' && server.subscribedSockets === 1, fast);
    clock.advance(2_000);
  }
  phone = fakeTelephony({ domain: server.sipDomain });
  calls = createCallService({
    recorder: { callStarted() {}, callAnswered() {}, callEnded() {}, holdStarted() {}, holdEnded() {} },
    alerts: { ringer() {}, incoming() {}, dismiss() {}, missed() {}, problem() {} },
    music: { set: async (_id, on) => (on ? 'Lounge' : null) },
    clock,
    preferences: () => ({ dtmf: 'info', declineWith: 'busy' }),
    publish: () => {},
    log: silentLogger,
  });
  calls.attach(phone.telephony);
  transfers = createTransferService({
    calls,
    backend,
    clock,
    recorder: { transferStep: (e) => steps.push(e) },
    prefs: (): Preferences['transfer'] => ({ safeBlind: false, safeBlindTimeoutSec: 30, undoWindowSec: 0, completeTimeoutSec: 8, incomingRefer: 'ask' }),
    domain: () => server.sipDomain,
    publish: () => {},
    cue: () => {},
    log: silentLogger,
  });
  const caller = phone.ring('c1');
  calls.answer('c1');
  caller.emit({ type: 'sip.accepted' });
  return caller;
}

beforeEach(async () => {
  server = await startFakeVoipbin();
  steps = [];
  told = [];
});
afterEach(async () => {
  transfers.dispose();
  calls.dispose();
  backend.dispose();
  events.close();
  client.close();
  await server.close();
});

describe('VoIPBIN blind transfers through the transfer machine', () => {
  it('B1 blind, transferee answers: the platform ends our leg and dials; the agent is released at "dialing", the timeline says so, nothing is left', async () => {
    const caller = await rig('agent1');
    expect(transfers.blind({ callId: 'c1', target: { kind: 'number', number: '2002' } }).phase).toBe('referring');
    await until(() => server.transfers.length === 1, { ...fast, what: 'POST /transfers' });
    // The platform's BYE on our leg (it hangs up before answering the request).
    caller.emit({ type: 'sip.ended', by: 'remote', reason: 'Hung up by the other party', code: null });
    await until(() => transfers.snapshot('c1').phase === 'done', { ...fast, what: 'the transfer done' });
    expect(transfers.snapshot('c1')).toMatchObject({ phase: 'done', reason: null });
    expect(steps.map((s) => s.step)).toEqual(['requested', 'refer-sent', 'accepted', 'dialing', 'released']);
    expect(steps.at(-1)!.detail).toMatch(/^released at NOTIFY 1\d\d; outcome not known$/);
    expect(server.lastTransfer().transfer).toMatchObject({ type: 'blind', transferee_addresses: [{ type: 'extension', target: '2002' }] });
    server.transfereeAnswers();
    expect(transfers.counters()).toMatchObject({ timers: 0, wants: 0 });
  });

  it('B5 blind, the platform refuses (a plain agent’s role): the caller stays with the agent, who reads why', async () => {
    await rig('plain');
    transfers.blind({ callId: 'c1', target: { kind: 'number', number: '2002' } });
    await until(() => transfers.snapshot('c1').phase === 'idle', { ...fast, what: 'the refusal' });
    expect(calls.state('c1')!.phase).toBe('established');
    expect(transfers.snapshot('c1').reason).toMatchObject({ code: 'refer-refused', sipCode: 403 });
    expect(told).toContain('Your VoIPBIN role cannot transfer calls; ask for manager permission or an access key.');
    expect(steps.map((s) => s.step)).toEqual(['requested', 'refer-sent', 'failed']);
  });

  it('safe blind is refused before anything is sent: the platform would drop the caller on a failed blind transfer', async () => {
    await rig('agent1');
    expect(() => transfers.blind({ callId: 'c1', target: { kind: 'number', number: '2002' }, safe: true })).toThrow(expect.objectContaining({ code: 'not-allowed' }));
    expect(server.transfers).toEqual([]);
    expect(transfers.snapshot('c1').phase).toBe('idle');
  });
});

describe('VoIPBIN attended transfers: the platform\u2019s consult on our own leg, through the transfer machine', () => {
  const to2002 = { kind: 'number', number: '2002' } as const;
  const phaseIs = (phase: string, what = phase) => until(() => transfers.snapshot('c1').phase === phase, { ...fast, what });
  /** Attended requested; the platform dials (POST /transfers attended), the transferee rings. */
  async function ringing() {
    const caller = await rig('agent1');
    expect(transfers.attended({ callId: 'c1', target: to2002 }).phase).toBe('consult-dialing');
    await until(() => server.transfers.length === 1, { ...fast, what: 'POST /transfers' });
    await until(() => transfers.snapshot('c1').legs.consult?.callId != null, { ...fast, what: 'the platform accepted' });
    server.transfereeRings();
    await until(() => transfers.snapshot('c1').legs.consult?.state === 'ringing', { ...fast, what: 'ringing' });
    return caller;
  }

  it('seed: the platform dials the transferee onto our leg, the caller on its music; the transferer hangs up after talking → the transfer completes', async () => {
    const caller = await ringing();
    const transfer = server.lastTransfer().transfer;
    expect(transfer).toMatchObject({ type: 'attended', transferee_addresses: [{ type: 'extension', target: '2002' }] });
    // Our leg stays up at the platform (the blind transfer would have hung it up), and nothing of ours held it.
    expect(server.calls.get(transfer.transferer_call_id as string)!.status).toBe('progressing');
    expect(caller.commands).not.toContain('hold');
    server.transfereeAnswers();
    await phaseIs('consulting');
    expect(transfers.snapshot('c1')).toMatchObject({ allowedActions: ['complete', 'cancel'], legs: { caller: { held: true, music: true }, consult: { state: 'up' } } });
    // The agent's ordinary hang-up completes it, as the seed says.
    calls.hangup('c1');
    await phaseIs('done');
    expect(caller.commands).toContain('hangup');
    server.transfererHangsUp();
    expect(transfers.snapshot('c1').outcome).toMatchObject({ result: 'transferred', target: '2002' });
    expect(steps.map((s) => s.step)).toEqual(['requested', 'refer-sent', 'dialing', 'accepted', 'ringing', 'answered', 'completed']);
    await until(() => backend.pending() === 0, { ...fast, what: 'nothing followed any more' });
    expect(transfers.counters()).toMatchObject({ timers: 0, wants: 0 });
  });

  it('seed: hanging up before the transferee answers would make the platform drop the caller — refused, typed, the call kept', async () => {
    const caller = await ringing();
    expect(() => calls.hangup('c1')).toThrow(expect.objectContaining({ code: 'not-allowed', message: expect.stringMatching(/drop the caller/) }));
    expect(() => transfers.intent('c1', 'complete')).toThrow(expect.objectContaining({ code: 'not-allowed' }));
    expect(caller.commands).not.toContain('hangup');
    expect(calls.state('c1')!.phase).toBe('established');
    expect(transfers.snapshot('c1').phase).toBe('consult-dialing');
  });

  it('seed: cancel = hang up the groupcall; the platform gives the caller back to our leg', async () => {
    const caller = await ringing();
    transfers.intent('c1', 'cancel');
    expect(transfers.snapshot('c1').phase).toBe('idle');
    await until(() => server.groupcallHangups.length === 1, { ...fast, what: 'POST /groupcalls/{id}/hangup' });
    expect(server.groupcallHangups[0]).toBe(server.lastTransfer().transfer.groupcall_id);
    expect(calls.state('c1')!.phase).toBe('established');
    expect(caller.commands).not.toContain('hangup');
    expect(transfers.snapshot('c1').outcome?.result).toBe('cancelled');
    await until(() => backend.pending() === 0, { ...fast, what: 'nothing followed any more' });
  });

  it.each([
    ['busy', 'busy', 486],
    ['noanswer', 'no-answer', 480],
  ] as const)('seed: the transferee does not take it (%s) → the caller is back with the agent, the reason shown', async (reason, code, sipCode) => {
    await ringing();
    server.transfereeFails(reason);
    await phaseIs('idle', 'the caller back');
    expect(transfers.snapshot('c1').reason).toMatchObject({ code, sipCode });
    expect(transfers.snapshot('c1').outcome?.result).toBe('caller-back');
    expect(calls.state('c1')!.phase).toBe('established');
  });

  it('seed: the transferee hangs up during the consult → the caller is back with the agent', async () => {
    await ringing();
    server.transfereeAnswers();
    await phaseIs('consulting');
    server.transfereeHangsUp();
    await phaseIs('idle', 'the caller back');
    expect(transfers.snapshot('c1').reason).toMatchObject({ code: 'transferee-hung-up' });
    expect(calls.state('c1')!.phase).toBe('established');
  });

  it('a plain agent\u2019s role (403): nothing is dialled, the caller stays, and the agent reads why', async () => {
    await rig('plain');
    transfers.attended({ callId: 'c1', target: to2002 });
    await phaseIs('idle', 'the refusal');
    expect(calls.state('c1')!.phase).toBe('established');
    expect(transfers.snapshot('c1').reason).toMatchObject({ sipCode: 403 });
    expect(told).toContain('Your VoIPBIN role cannot transfer calls; ask for manager permission or an access key.');
  });

  it('an existing call cannot be the consult here: the platform dials the transferee onto this call itself', async () => {
    await rig('agent1');
    expect(() => transfers.attended({ callId: 'c1', consultCallId: 'c2' })).toThrow(expect.objectContaining({ code: 'not-allowed' }));
  });
});
