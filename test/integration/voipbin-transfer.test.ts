/**
 * The VoIPBIN blind transfer backend (main/platform/voipbin/transfer-backend.ts)
 * with its real REST client and event socket against the fake platform on
 * 127.0.0.1 (test/support/voipbin-server.ts). The platform hangs our leg up and
 * dials the transferee BEFORE it answers POST /transfers, so events can precede
 * the 200; each test reads the report the transfer machine would get, in order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HandOverReport } from '../../main/calls/transfer/backend';
import type { Logger } from '../../main/logging/logger';
import { createVoipbinClient, type VoipbinClient } from '../../main/platform/voipbin/client';
import { createVoipbinEvents, type VoipbinEvents } from '../../main/platform/voipbin/events';
import { createVoipbinTransferBackend, type VoipbinTransferBackend } from '../../main/platform/voipbin/transfer-backend';
import { FakeClock } from '../support/clock';
import { until } from '../support/until';
import { FakeVoipbin, startFakeVoipbin } from '../support/voipbin-server';

let server: FakeVoipbin;
let clock: FakeClock;
let client: VoipbinClient;
let events: VoipbinEvents;
let backend: VoipbinTransferBackend;
let reports: string[];
let warnings: string[];
let refusals: string[];
/** Our call id → the platform's, as the composition root would resolve it. */
let legs: Map<string, string>;

const fast = { timeoutMs: 2_000, intervalMs: 5 };
const recordingLog: Logger = {
  error: (m) => warnings.push(m),
  warn: (m) => warnings.push(m),
  info() {},
  debug() {},
  scope: () => recordingLog,
};
const report = (): HandOverReport => ({
  accepted: () => reports.push('accepted'),
  rejected: (code) => reports.push(`rejected ${code}`),
  progress: (code) => reports.push(`${code}`),
});
const reported = (...expected: string[]) =>
  until(() => reports.length >= expected.length, { ...fast, what: expected.join(', '), detail: () => reports.join(', ') }).then(() => expect(reports).toEqual(expected));

async function rig(o: { username?: string } = {}) {
  client = createVoipbinClient({ baseUrl: server.url, auth: { kind: 'login', username: o.username ?? 'agent1', password: 'secret' }, timeoutMs: 1_000 });
  events = createVoipbinEvents({
    url: () => client.eventsUrl(),
    topics: ['call', 'groupcall'].map((r) => `customer_id:${server.customerId}:${r}`),
    clock,
    log: recordingLog,
  });
  backend = createVoipbinTransferBackend({
    client,
    events,
    platformCallId: async (callId) => legs.get(callId) ?? null,
    extensionDomain: server.sipDomain,
    log: recordingLog,
  });
  backend.onRefusal((_callId, message) => refusals.push(message));
  if (o.username !== 'plain') {
    events.start();
    await until(() => events.state().state === 'open' && server.subscribedSockets === 1, fast);
    clock.advance(2_000); // past the subscription grace
  }
}

beforeEach(async () => {
  server = await startFakeVoipbin();
  clock = new FakeClock(Date.parse('2025-03-01T10:00:00Z'));
  reports = [];
  warnings = [];
  refusals = [];
  const leg = server.addAgentLeg();
  legs = new Map([['call-1', leg.id as string]]);
});
afterEach(async () => {
  backend.dispose();
  expect(backend.pending()).toBe(0);
  events.close();
  client.close();
  await server.close();
});

describe('VoIPBIN blind transfer backend', () => {
  it('declares what the platform can do: plain blind, and attended its own way (on our leg); no Replaces dialog, never an incoming request', async () => {
    await rig();
    expect(backend.capabilities).toEqual({ safeBlind: false, attended: true, swap: false, incomingRefer: false, handOverEndsLeg: true, consultOnLeg: true });
    expect(backend.dialog('call-1')).toBeNull();
    let incoming = 0;
    const off = backend.onIncomingRequest(() => incoming++);
    off();
    expect(incoming).toBe(0);
  });

  it('blind: the platform hangs up our leg; the transferee answers → the transfer machine\'s report is accepted, 100, 180 then 200', async () => {
    await rig();
    backend.handOver('call-1', `sip:2002@${server.sipDomain}`, report());
    await reported('accepted', '100');
    const { transfer } = server.lastTransfer();
    expect(transfer).toMatchObject({ type: 'blind', transferer_call_id: legs.get('call-1'), transferee_addresses: [{ type: 'extension', target: '2002', target_name: '2002' }] });
    expect(server.calls.get(legs.get('call-1')!)).toMatchObject({ status: 'hangup' });
    server.transfereeRings();
    await reported('accepted', '100', '180');
    server.transfereeAnswers();
    await reported('accepted', '100', '180', '200');
    expect(backend.pending()).toBe(0);
  });

  it('blind to a number: "+digits" goes out as a tel address (E.164)', async () => {
    await rig();
    backend.handOver('call-1', 'sip:+15551239999@pbx.example.com', report());
    await reported('accepted', '100');
    expect(server.lastTransfer().transfer.transferee_addresses).toEqual([{ type: 'tel', target: '+15551239999', target_name: '+15551239999' }]);
  });

  it('blind: the transferee is busy → 486; in the bare event shape too', async () => {
    await rig();
    backend.handOver('call-1', '+15551239999', report());
    await reported('accepted', '100');
    server.transfereeRings('bare');
    server.transfereeFails('busy', 'bare');
    await reported('accepted', '100', '180', '486');
  });

  it('blind: no answer → 480, timeout → 408, cancel → 487, failed → 500 (the platform\'s hang-up reason as a SIP status)', async () => {
    await rig();
    const codes: Record<string, string> = { noanswer: '480', timeout: '408', cancel: '487', failed: '500' };
    for (const [reason, code] of Object.entries(codes)) {
      reports = [];
      const leg = server.addAgentLeg();
      legs.set(`call-${reason}`, leg.id as string);
      backend.handOver(`call-${reason}`, '+15551239999', report());
      await reported('accepted', '100');
      server.transfereeFails(reason as 'noanswer');
      await reported('accepted', '100', code);
    }
  });

  it('events that arrive before the 200 (the platform dials first) are replayed once the 200 names the groupcall', async () => {
    await rig();
    server.ringBeforeAnswer = true;
    backend.handOver('call-1', '+15551239999', report());
    await reported('accepted', '100', '180');
    server.transfereeAnswers();
    await reported('accepted', '100', '180', '200');
  });

  it('out-of-order and malformed events change nothing: a late "ringing" after the answer, garbage frames, other calls\' events', async () => {
    await rig();
    backend.handOver('call-1', '+15551239999', report());
    await reported('accepted', '100');
    const { transferee } = server.lastTransfer();
    server.emitRaw('{"type":"call_hangup","data":{"id":5}}');
    server.emitRaw('nonsense');
    server.emit('call_hangup', { ...transferee, id: 'someone-else', groupcall_id: 'another-groupcall', status: 'hangup', hangup_reason: 'busy' });
    server.transfereeAnswers();
    server.emit('call_ringing', { ...transferee, status: 'ringing' });
    server.emit('call_hangup', { ...transferee, status: 'hangup', hangup_reason: 'normal' });
    await reported('accepted', '100', '200');
    // Every event emitted above has been handled (ordered socket): nothing more was reported.
    await server.roundTrip();
    expect(reports).toEqual(['accepted', '100', '200']);
    expect(events.counters().malformed).toBe(2);
  });

  it('a transferee hang-up without a groupcall event still ends it once every listed call of the groupcall has ended', async () => {
    await rig();
    backend.handOver('call-1', '+15551239999', report());
    await reported('accepted', '100');
    server.emit('groupcall_updated', server.lastTransfer().groupcall, 'bare'); // carries call_ids, not answered
    server.transfereeFails('noanswer', 'wrapped', { groupcallEvent: false });
    await reported('accepted', '100', '480');
  });

  it('the platform refuses: 403 → rejected(403) and the agent is told their role cannot transfer calls', async () => {
    await rig({ username: 'plain' });
    backend.handOver('call-1', '+15551239999', report());
    await reported('rejected 403');
    expect(refusals).toEqual(['Your VoIPBIN role cannot transfer calls; ask for manager permission or an access key.']);
    expect(warnings.some((w) => w.includes('Your VoIPBIN role cannot transfer calls'))).toBe(true);
  });

  it('the platform refuses: 404 (call gone), 500 (call not in a bridge), 401 (sign-in refused) → rejected with the status', async () => {
    await rig();
    server.fail('POST', /\/transfers$/, 404, FakeVoipbin.errorBody('NOT_FOUND', 'CALL_NOT_FOUND', 'call not found'));
    backend.handOver('call-1', '+15551239999', report());
    await reported('rejected 404');
    reports = [];
    server.fail('POST', /\/transfers$/, 500);
    backend.handOver('call-1', '+15551239999', report());
    await reported('rejected 500');
    reports = [];
    server.fail('POST', /\/transfers$/, 401, undefined, 2);
    backend.handOver('call-1', '+15551239999', report());
    await reported('rejected 401');
    expect(refusals.join('\n')).toMatch(/does not know this call[\s\S]*queue or a connect action[\s\S]*check the username and password/);
  });

  it('no platform call matches our call → rejected(404) before anything is sent', async () => {
    await rig();
    backend.handOver('call-unknown', '+15551239999', report());
    await reported('rejected 404');
    expect(server.requests.some((r) => r.path === '/v1.0/transfers')).toBe(false);
  });

  it('the platform never answers the POST → rejected(408) after the request time-out', async () => {
    await rig();
    server.fail('POST', /\/transfers$/, 'hang');
    backend.handOver('call-1', '+15551239999', report());
    await reported('rejected 408');
  });

  it('a target that is no number, extension or SIP address, or a Replaces, throws at once (the service reports it rejected)', async () => {
    await rig();
    expect(() => backend.handOver('call-1', 'not a target', report())).toThrow();
    expect(() => backend.handOver('call-1', `sip:2002@${server.sipDomain}?Replaces=x%3Bto-tag%3Dy`, report())).toThrow(/Replaces/);
    expect(backend.pending()).toBe(0);
  });

  it('the server goes away mid-transfer: after the reconnect the backend asks the platform how the groupcall ended → 200', async () => {
    await rig();
    backend.handOver('call-1', '+15551239999', report());
    await reported('accepted', '100');
    server.transfereeRings();
    await reported('accepted', '100', '180');
    server.dropSockets();
    await until(() => events.state().state === 'retrying', fast);
    server.transfereeAnswers(undefined, { emit: false }); // answered while nobody listened
    clock.advance(1_000);
    await reported('accepted', '100', '180', '200');
    expect(server.requests.some((r) => r.method === 'GET' && r.path === `/v1.0/groupcalls/${server.lastTransfer().groupcall.id as string}`)).toBe(true);
  });

  it('the server goes away for good mid-transfer: following stops when the socket gives up; nothing is left', async () => {
    await rig();
    backend.handOver('call-1', '+15551239999', report());
    await reported('accepted', '100');
    expect(backend.pending()).toBe(1);
    events.close();
    expect(backend.pending()).toBe(0);
    expect(warnings.some((w) => w.includes('outcome of this transfer is unknown'))).toBe(true);
  });

  it('dispose() stops following: later events report nothing', async () => {
    await rig();
    backend.handOver('call-1', '+15551239999', report());
    await reported('accepted', '100');
    backend.dispose();
    // Positive control: the events socket is still open and delivers what follows — only not to the backend.
    const delivered: string[] = [];
    const off = events.onEvent((e) => delivered.push(`${e.resource}_${e.action}`));
    server.transfereeAnswers();
    await server.roundTrip();
    off();
    expect(delivered).toEqual(['call_progressing', 'groupcall_progressing']);
    expect(reports).toEqual(['accepted', '100']);
    expect(() => backend.handOver('call-1', '+15551239999', report())).toThrow(/closed/);
  });
});
