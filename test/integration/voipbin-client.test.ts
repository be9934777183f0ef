/**
 * The VoIPBIN REST client, its schemas and the call matcher
 * (main/platform/voipbin/) against the fake platform on 127.0.0.1
 * (test/support/voipbin-server.ts). What the platform does is in docs/voipbin.md.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { matchPlatformCall, findPlatformCall } from '../../main/platform/voipbin/call-match';
import { createVoipbinClient, VoipbinError, type VoipbinAuth } from '../../main/platform/voipbin/client';
import { callSchema, epochOf, parseEventFrame } from '../../main/platform/voipbin/schemas';
import { toAddress } from '../../main/platform/voipbin/transfer-backend';
import { type FakeVoipbin, startFakeVoipbin } from '../support/voipbin-server';
import { until } from '../support/until';

let server: FakeVoipbin;
beforeEach(async () => {
  server = await startFakeVoipbin();
});
afterEach(async () => {
  await server.close();
});

const login: VoipbinAuth = { kind: 'login', username: 'agent1', password: 'secret' };
const client = (auth: VoipbinAuth = login, timeoutMs = 2_000) => createVoipbinClient({ baseUrl: server.url, auth, timeoutMs });
const rejection = async (p: Promise<unknown>): Promise<VoipbinError> => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(VoipbinError);
  return e as VoipbinError;
};

describe('VoIPBIN client', () => {
  it('signs in once with username and password and sends the token as a bearer on every request', async () => {
    const c = client();
    await Promise.all([c.me(), c.queues()]);
    expect(server.requests.filter((r) => r.path === '/auth/login')).toHaveLength(1);
    const api = server.requests.filter((r) => r.path.startsWith('/v1.0/'));
    expect(api.every((r) => /^Bearer tok-/.test(r.authorization ?? ''))).toBe(true);
  });

  it('an access key goes in the query and needs no sign-in', async () => {
    const c = client({ kind: 'accesskey', key: 'key-1' });
    await c.agents();
    expect(server.requests.some((r) => r.path === '/auth/login')).toBe(false);
    expect(server.requests.every((r) => r.query.accesskey === 'key-1')).toBe(true);
    expect(await c.eventsUrl()).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1\.0\/ws\?accesskey=key-1$/);
  });

  it('lists follow next_page_token to the end', async () => {
    for (let i = 0; i < 5; i++) server.addQueue({ name: `q${i}` });
    const qs = await client().queues();
    expect(qs.map((q) => q.name)).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
    expect(server.requests.filter((r) => r.path === '/v1.0/queues').map((r) => r.query.page_token ?? '')).toEqual(['', '2', '4']);
  });

  it('an expired token is renewed by signing in again, once', async () => {
    const c = client();
    await c.me();
    server.expireTokens();
    await c.me();
    expect(server.requests.filter((r) => r.path === '/auth/login')).toHaveLength(2);
  });

  it('a wrong password is an unauthenticated error that says to check the settings', async () => {
    const e = await rejection(client({ kind: 'login', username: 'agent1', password: 'nope' }).me());
    expect(e.kind).toBe('unauthenticated');
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/username and password/);
  });

  it('403 on a privileged endpoint names the permission: "Your VoIPBIN role cannot …; ask for manager permission or an access key"', async () => {
    const c = client({ kind: 'login', username: 'plain', password: 'secret' });
    const q = await rejection(c.queues());
    expect(q.kind).toBe('forbidden');
    expect(q.message).toBe('Your VoIPBIN role cannot see queues; ask for manager permission or an access key.');
    const t = await rejection(c.createTransfer({ transfer_type: 'blind', transferer_call_id: 'x', transferee_addresses: [{ type: 'tel', target: '+15551230000' }] }));
    expect(t.message).toBe('Your VoIPBIN role cannot transfer calls; ask for manager permission or an access key.');
    expect(t.reason).toBe('PERMISSION_DENIED');
    expect(t.requestId).toBe('req_test');
  });

  it('400, 404 and 500 on a transfer map to invalid / not-found / server with sentences the agent can act on', async () => {
    const c = client();
    const bad = await rejection(c.createTransfer({ transfer_type: 'blind', transferer_call_id: 'x', transferee_addresses: [] }));
    expect([bad.kind, bad.status, bad.reason]).toEqual(['invalid', 400, 'INVALID_JSON_BODY']);
    const gone = await rejection(c.createTransfer({ transfer_type: 'blind', transferer_call_id: 'nope', transferee_addresses: [{ type: 'tel', target: '+15551230000' }] }));
    expect([gone.kind, gone.status]).toEqual(['not-found', 404]);
    expect(gone.message).toMatch(/does not know this call/);
    const leg = server.addAgentLeg();
    leg.confbridge_id = undefined;
    const notBridged = await rejection(c.createTransfer({ transfer_type: 'blind', transferer_call_id: leg.id as string, transferee_addresses: [{ type: 'tel', target: '+15551230000' }] }));
    expect([notBridged.kind, notBridged.status]).toEqual(['server', 500]);
    expect(notBridged.message).toMatch(/queue or a connect action/);
  });

  it('a request the platform never answers times out with a typed error (AbortSignal), and close() aborts what is under way', async () => {
    server.fail('GET', /\/queues$/, 'hang');
    const c = client(login, 200);
    const e = await rejection(c.queues());
    expect(e.kind).toBe('timeout');
    server.fail('GET', /\/agents$/, 'hang');
    const pending = c.agents();
    // Closed while the request is under way (the platform has it and will never answer).
    await until(() => server.requests.some((r) => r.method === 'GET' && r.path.endsWith('/agents')), { timeoutMs: 2000, what: 'the request at the platform' });
    c.close();
    expect((await rejection(pending)).kind).toBe('closed');
    expect((await rejection(c.me())).kind).toBe('closed');
  });

  it('a malformed body is a typed "malformed" error, not a crash; a non-JSON error page still maps by status', async () => {
    server.fail('GET', /\/service_agents\/me$/, 'malformed');
    expect((await rejection(client().me())).kind).toBe('malformed');
    server.fail('GET', /\/agents$/, 502, '<html>bad gateway</html>');
    const e = await rejection(client().agents());
    expect([e.kind, e.status]).toEqual(['server', 502]);
  });

  it('an unreachable platform is a network error naming the host', async () => {
    const url = server.url;
    await server.close();
    const e = await rejection(createVoipbinClient({ baseUrl: url, auth: login, timeoutMs: 1_000 }).me());
    expect(e.kind).toBe('network');
    expect(e.message).toContain(new URL(url).host);
    server = await startFakeVoipbin(); // afterEach closes one
  });
});

describe('VoIPBIN schemas', () => {
  const call = { id: 'c1', status: 'ringing', direction: 'outgoing', groupcall_id: 'g1', tm_create: '2025-03-01T10:00:00Z' };

  it('an event frame is read in both shapes: {"type","data"} with its action, and the bare resource told by its fields', () => {
    const wrapped = parseEventFrame(JSON.stringify({ type: 'call_ringing', data: call }));
    expect(wrapped).toMatchObject({ kind: 'event', event: { resource: 'call', action: 'ringing', data: { id: 'c1' } } });
    const bare = parseEventFrame(JSON.stringify(call));
    expect(bare).toMatchObject({ kind: 'event', event: { resource: 'call', action: null } });
    expect(parseEventFrame(JSON.stringify({ id: 'g', answer_method: 'hangup_others', ring_method: 'ringall' }))).toMatchObject({ event: { resource: 'groupcall' } });
    expect(parseEventFrame(JSON.stringify({ id: 'q', reference_type: 'call', status: 'waiting' }))).toMatchObject({ event: { resource: 'queuecall' } });
    expect(parseEventFrame(JSON.stringify({ id: 'a', username: 'x', ring_method: 'ringall', status: 'busy' }))).toMatchObject({ event: { resource: 'agent' } });
    expect(parseEventFrame(JSON.stringify({ id: 'b', routing_method: 'random', name: 'Sales' }))).toMatchObject({ event: { resource: 'queue' } });
    expect(parseEventFrame(JSON.stringify({ type: 'groupcall_hangup', data: { id: 'g' } }))).toMatchObject({ event: { resource: 'groupcall', action: 'hangup' } });
  });

  it('malformed frames are typed results, never a throw', () => {
    for (const text of ['not json', '42', '[]', JSON.stringify({ type: 'call_hangup', data: { id: 42 } }), JSON.stringify({ type: 'call_hangup', data: null })]) {
      expect(parseEventFrame(text).kind).toBe('malformed');
    }
    expect(parseEventFrame(JSON.stringify({ type: 'message_created', data: {} })).kind).toBe('ignored');
    expect(parseEventFrame(JSON.stringify({ type: 'ping' })).kind).toBe('ignored');
    expect(parseEventFrame(JSON.stringify({ hello: 1 })).kind).toBe('ignored');
  });

  it('timestamps: RFC 3339 and the older "YYYY-MM-DD hh:mm:ss.micro" both read as UTC; the platform\'s year-9999 "never" and null are no time', () => {
    expect(epochOf('2025-03-01T10:00:00.500Z')).toBe(Date.parse('2025-03-01T10:00:00.500Z'));
    expect(epochOf('2025-03-01 10:00:00.500000')).toBe(Date.parse('2025-03-01T10:00:00.500Z'));
    expect(epochOf('9999-01-01 00:00:00.000000')).toBeNull();
    expect(epochOf(null)).toBeNull();
    expect(epochOf('garbage')).toBeNull();
  });
});

describe('transfer targets as VoIPBIN addresses', () => {
  const domain = 'c.registrar.voipbin.net';
  it('+digits are tel (E.164), a user on the account domain is an extension, anything else is sip', () => {
    expect(toAddress('+15551230000', domain)).toMatchObject({ type: 'tel', target: '+15551230000' });
    expect(toAddress('tel:+49-30-1234567', domain)).toMatchObject({ type: 'tel', target: '+49301234567' });
    expect(toAddress('sip:+4930123456@pbx.example.com;user=phone', domain)).toMatchObject({ type: 'tel', target: '+4930123456' });
    expect(toAddress('<sip:2002@C.registrar.voipbin.net;transport=ws>', domain)).toEqual({ type: 'extension', target: '2002', target_name: '2002' });
    expect(toAddress('2002', domain)).toMatchObject({ type: 'extension', target: '2002' });
    expect(toAddress('sip:alice@example.com', domain)).toMatchObject({ type: 'sip', target: 'alice@example.com' });
  });
  it('a Replaces (attended completion) or an unreadable target is refused', () => {
    expect(() => toAddress('sip:2002@c.registrar.voipbin.net?Replaces=abc%3Bto-tag%3D1', domain)).toThrow(/Replaces/);
    expect(() => toAddress('tel:12', domain)).toThrow(/E\.164/);
    expect(() => toAddress('two words', domain)).toThrow();
  });
});

describe('matching the agent\'s SIP call to the platform\'s call', () => {
  const at = Date.parse('2025-03-01T10:00:00Z');
  const leg = (over: Record<string, unknown>) =>
    callSchema.parse({
      id: 'x',
      status: 'progressing',
      direction: 'outgoing',
      source: { type: 'tel', target: '+15551230001' },
      destination: { type: 'sip', target: 'sip:abc@h.invalid;transport=ws', target_name: '2001' },
      tm_progressing: new Date(at).toISOString(),
      ...over,
    });

  it('a received call is the platform\'s outgoing call to the extension, answered closest to our answer, with the same caller', () => {
    const calls = [
      leg({ id: 'other-ext', destination: { type: 'sip', target: 'sip:z@h', target_name: '2002' } }),
      leg({ id: 'ended', status: 'hangup' }),
      leg({ id: 'other-caller', source: { type: 'tel', target: '+15559999999' } }),
      leg({ id: 'ours', tm_progressing: new Date(at + 300).toISOString() }),
    ];
    expect(matchPlatformCall(calls, { direction: 'incoming', extension: '2001', remote: '15551230001', answeredAt: at })?.id).toBe('ours');
  });

  it('a placed call is the platform\'s incoming call from the extension', () => {
    const placed = leg({ id: 'placed', direction: 'incoming', source: { type: 'extension', target: '2001' }, destination: { type: 'tel', target: '+15551230009' } });
    expect(matchPlatformCall([placed], { direction: 'outgoing', extension: '2001', remote: '+15551230009', answeredAt: at })?.id).toBe('placed');
    expect(matchPlatformCall([placed], { direction: 'incoming', extension: '2001', remote: null, answeredAt: at })).toBeNull();
  });

  it('two equally likely candidates, or none within the tolerance, give null rather than a guess', () => {
    const two = [leg({ id: 'a' }), leg({ id: 'b', tm_progressing: new Date(at + 200).toISOString() })];
    expect(matchPlatformCall(two, { direction: 'incoming', extension: '2001', remote: null, answeredAt: at })).toBeNull();
    expect(matchPlatformCall([leg({ id: 'late', tm_progressing: new Date(at + 60_000).toISOString() })], { direction: 'incoming', extension: '2001', remote: null, answeredAt: at })).toBeNull();
  });

  it('findPlatformCall reads GET /calls (all pages) and returns the id', async () => {
    server.addAgentLeg({ extension: '2002' });
    server.addAgentLeg({ extension: '2003' });
    const mine = server.addAgentLeg({ extension: '2001', caller: '+15551230042', answeredAt: server.now });
    const id = await findPlatformCall(client(), { direction: 'incoming', extension: '2001', remote: '+15551230042', answeredAt: server.now + 500 });
    expect(id).toBe(mine.id);
  });
});
