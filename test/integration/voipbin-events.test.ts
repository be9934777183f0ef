/**
 * VoIPBIN's event websocket (main/platform/voipbin/events.ts) against the fake
 * platform on 127.0.0.1 (test/support/voipbin-server.ts): topics, both payload
 * shapes, malformed frames, server pings, the back-off driven by a fake clock,
 * a socket closed right after subscribing, and nothing left after close().
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/logging/logger';
import { createVoipbinClient, type VoipbinClient } from '../../main/platform/voipbin/client';
import { createVoipbinEvents, type EventsState, type VoipbinEvents } from '../../main/platform/voipbin/events';
import type { VoipbinEvent } from '../../main/platform/voipbin/schemas';
import { FakeClock } from '../support/clock';
import { until } from '../support/until';
import { type FakeVoipbin, startFakeVoipbin } from '../support/voipbin-server';

let server: FakeVoipbin;
let clock: FakeClock;
let client: VoipbinClient;
let events: VoipbinEvents;
let seen: VoipbinEvent[];
let states: EventsState[];

const fast = { timeoutMs: 2_000, intervalMs: 5 };
const open = (o: Partial<Parameters<typeof createVoipbinEvents>[0]> = {}) => {
  events = createVoipbinEvents({
    url: () => client.eventsUrl(),
    credentialsRefused: () => client.invalidateToken(),
    topics: ['queue', 'agent', 'call', 'groupcall'].map((r) => `customer_id:${server.customerId}:${r}`),
    clock,
    log: silentLogger,
    backoff: { initialMs: 1_000, maxMs: 4_000, maxAttempts: 3 },
    ...o,
  });
  events.onEvent((e) => seen.push(e));
  events.onState((s) => states.push(s));
  events.start();
  return events;
};
const subscribed = () => until(() => server.subscribedSockets === 1 && events.state().state === 'open', { ...fast, what: 'subscribed' });
const stateIs = (s: EventsState['state']) => until(() => events.state().state === s, { ...fast, what: `state ${s}`, detail: () => JSON.stringify(states) });

beforeEach(async () => {
  server = await startFakeVoipbin();
  clock = new FakeClock(Date.parse('2025-03-01T10:00:00Z'));
  client = createVoipbinClient({ baseUrl: server.url, auth: { kind: 'login', username: 'agent1', password: 'secret' }, timeoutMs: 2_000 });
  seen = [];
  states = [];
});
afterEach(async () => {
  events.close();
  client.close();
  await server.close();
});

describe('VoIPBIN event websocket', () => {
  it('subscribes to customer_id:<cid>:<resource> topics with the session token', async () => {
    open();
    await subscribed();
    expect(server.subscriptions[0]).toEqual([`customer_id:${server.customerId}:queue`, `customer_id:${server.customerId}:agent`, `customer_id:${server.customerId}:call`, `customer_id:${server.customerId}:groupcall`]);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'open']);
  });

  it('both payload shapes arrive as typed events; malformed and unknown frames are counted and dropped; server pings are tolerated', async () => {
    open();
    await subscribed();
    const agent = server.agents.values().next().value!;
    server.emit('agent_status_updated', { ...agent, status: 'available' }, 'wrapped');
    server.emitRaw('{not json');
    server.emitRaw(JSON.stringify({ type: 'agent_updated', data: { id: 7 } }));
    server.pingAll();
    server.emitRaw(JSON.stringify({ type: 'message_created', data: {} }));
    server.emit('agent_updated', { ...agent, status: 'away' }, 'bare');
    await until(() => seen.length === 2, { ...fast, what: 'two events' });
    expect(seen.map((e) => [e.resource, e.action, (e.data as { status?: string }).status])).toEqual([
      ['agent', 'status_updated', 'available'],
      ['agent', null, 'away'],
    ]);
    expect(events.counters()).toMatchObject({ events: 2, malformed: 2, ignored: 1 });
    expect(events.state().state).toBe('open');
  });

  it('a dropped socket is retried with a doubling back-off on the injected clock; the reconnect is flagged so what was missed can be reloaded', async () => {
    open();
    await subscribed();
    clock.advance(2_000); // past the subscription grace: the topics were accepted
    server.refuseUpgrade = 503;
    server.dropSockets();
    await until(() => events.state().state === 'retrying', fast);
    expect(events.state()).toMatchObject({ state: 'retrying', attempt: 1, inMs: 1_000 });
    clock.advance(1_000);
    await until(() => (events.state() as { attempt?: number }).attempt === 2 && events.state().state === 'retrying', fast);
    expect(events.state()).toMatchObject({ inMs: 2_000 });
    server.refuseUpgrade = null;
    clock.advance(2_000);
    await until(() => events.state().state === 'open', fast);
    expect(events.state()).toEqual({ state: 'open', reconnected: true });
    expect(server.openSockets).toBe(1);
  });

  it('the back-off is bounded: after maxAttempts the state is failed with a sentence to act on, and no timer is left', async () => {
    server.refuseUpgrade = 503;
    open();
    for (let i = 0; i < 3; i++) {
      await until(() => events.state().state === 'retrying' && (events.state() as { attempt: number }).attempt === i + 1, fast);
      clock.advance(4_000);
    }
    await stateIs('failed');
    expect(events.state()).toMatchObject({ cause: 'gave-up' });
    expect((events.state() as { reason: string }).reason).toMatch(/check the network/);
    expect(clock.pending).toBe(0);
  });

  it('a socket closed right after subscribing, twice in a row, is reported as a permission or topic problem', async () => {
    server.refuseTopics = true;
    open();
    await until(() => events.state().state === 'retrying', fast);
    expect(events.state()).toMatchObject({ reason: 'the connection closed right after subscribing' });
    clock.advance(1_000);
    await stateIs('failed');
    expect(events.state()).toMatchObject({ cause: 'topic-refused' });
    expect((events.state() as { reason: string }).reason).toMatch(/role may not see them.*admin or manager role, or an access key/);
    expect(clock.pending).toBe(0);
  });

  it('a plain agent subscribing to customer topics is closed by the platform and told why', async () => {
    client = createVoipbinClient({ baseUrl: server.url, auth: { kind: 'login', username: 'plain', password: 'secret' } });
    open();
    await until(() => events.state().state === 'retrying', fast);
    clock.advance(1_000);
    await stateIs('failed');
    expect(events.state()).toMatchObject({ cause: 'topic-refused' });
  });

  it('a refused token on the upgrade (401) signs in again for the next attempt', async () => {
    open();
    await subscribed();
    clock.advance(2_000);
    server.expireTokens();
    server.dropSockets();
    await until(() => events.state().state === 'retrying', fast);
    clock.advance(1_000);
    await until(() => events.state().state === 'retrying' && (events.state() as { attempt: number }).attempt === 2, fast);
    clock.advance(2_000);
    await until(() => events.state().state === 'open', fast);
    expect(server.requests.filter((r) => r.path === '/auth/login')).toHaveLength(2);
  });

  it('silence longer than silenceMs (no ping, no event) replaces the connection', async () => {
    open({ silenceMs: 30_000 });
    await subscribed();
    clock.advance(29_000);
    await server.roundTrip(); // the ping crossed the socket and was answered
    clock.advance(29_000); // the ping re-armed the watchdog: still open
    expect(events.state().state).toBe('open');
    clock.advance(1_500); // silence due at 59 s; the first retry not before 60 s
    expect(events.state()).toMatchObject({ state: 'retrying', reason: 'the connection went silent' });
  });

  it('close() leaves no socket, no timer and calls no listener afterwards; every listener returns an unsubscribe', async () => {
    open();
    await subscribed();
    const extra: VoipbinEvent[] = [];
    const off = events.onEvent((e) => extra.push(e));
    off();
    events.close();
    events.close();
    await until(() => server.openSockets === 0, fast);
    server.emit('agent_updated', server.me);
    expect(extra).toEqual([]);
    expect(events.counters()).toMatchObject({ sockets: 0, timers: 0 });
    expect(clock.pending).toBe(0);
    expect(states.at(-1)).toEqual({ state: 'closed' });
  });
});
