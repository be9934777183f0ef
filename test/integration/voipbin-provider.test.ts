/**
 * The VoIPBIN target provider (main/platform/voipbin/provider.ts) with its real
 * client and event socket against the fake platform on 127.0.0.1
 * (test/support/voipbin-server.ts): the view it builds, live updates without a
 * reload, a reload after a reconnect, the agent's own status (wrap-up kept by
 * the console), failures the agent can act on, and nothing left after stop().
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TargetsView } from '../../preload/contract/targets';
import { targetsViewSchema } from '../../preload/contract/targets';
import { silentLogger } from '../../main/logging/logger';
import { createVoipbinClient } from '../../main/platform/voipbin/client';
import { createVoipbinProvider, type VoipbinProvider } from '../../main/platform/voipbin/provider';
import { FakeClock } from '../support/clock';
import { until } from '../support/until';
import { type FakeVoipbin, startFakeVoipbin } from '../support/voipbin-server';

let server: FakeVoipbin;
let clock: FakeClock;
let provider: VoipbinProvider;
let views: TargetsView[];

const fast = { timeoutMs: 2_000, intervalMs: 5 };
const make = (username = 'agent1', o: { wrapUpAs?: 'busy' | 'away' } = {}) => {
  provider = createVoipbinProvider({
    client: createVoipbinClient({ baseUrl: server.url, auth: { kind: 'login', username, password: 'secret' }, timeoutMs: 1_000 }),
    clock,
    log: silentLogger,
    sipDomain: server.sipDomain,
    platformCallId: async () => null,
    queueAddresses: { Sales: '+15551230100' },
    events: { backoff: { initialMs: 1_000, maxMs: 4_000, maxAttempts: 3 } },
    ...o,
  });
  provider.onChange((v) => views.push(v));
  provider.start();
  return provider;
};
// The platform never acknowledges a subscription: wait until the fake has taken it before emitting.
const live = () =>
  until(() => provider.view().state === 'live' && server.subscribedSockets === 1 && provider.view(), { ...fast, what: 'live', detail: () => JSON.stringify(provider.view()) });
const gets = () => server.requests.filter((r) => r.method === 'GET' && /\/(queues|queuecalls|agents)$/.test(r.path)).length;

let sales: Record<string, unknown>;
let support: Record<string, unknown>;
let bob: Record<string, unknown>;
beforeEach(async () => {
  server = await startFakeVoipbin();
  clock = new FakeClock(server.now);
  views = [];
  sales = server.addQueue({ name: 'Sales', tags: ['t-sales'] });
  support = server.addQueue({ name: 'Support' });
  server.addWaiting(sales, 90_000);
  server.addWaiting(sales, 30_000);
  bob = server.addAgent({ username: 'bob', name: 'Bob', status: 'available', extension: '2002', tags: ['t-sales'] });
  server.addAgent({ username: 'cy', name: 'Cy', status: 'available', extension: '2003' });
  server.addAgent({ username: 'di', name: 'Di', status: 'ringing' });
});
afterEach(async () => {
  await provider.stop();
  await provider.stop();
  expect(clock.pending).toBe(0);
  await until(() => server.openSockets === 0, fast);
  await server.close();
});

describe('VoIPBIN target provider', () => {
  it('loads queues (waiting, longest wait, available agents), colleagues with presence and the agent\'s own status, then goes live', async () => {
    make();
    expect(provider.kind).toBe('voipbin');
    expect(views[0]).toMatchObject({ provider: 'voipbin', state: 'connecting' });
    const v = await live();
    expect(targetsViewSchema.parse(v)).toBeTruthy();
    expect(v.queues).toEqual([
      { id: sales.id, name: 'Sales', address: '+15551230100', waiting: 2, longestWaitSec: 90, availableAgents: 1 },
      { id: support.id, name: 'Support', address: null, waiting: 0, longestWaitSec: 0, availableAgents: 2 },
    ]);
    expect(v.colleagues.map((c) => [c.name, c.presence, c.address])).toEqual([
      ['Bob', 'available', `sip:2002@${server.sipDomain}`],
      ['Cy', 'available', `sip:2003@${server.sipDomain}`],
      ['Di', 'ringing', ''],
    ]);
    expect(v.agentStatus).toBe('busy');
    expect(server.subscriptions[0]).toEqual(['queue', 'queuecall', 'agent', 'call', 'groupcall'].map((r) => `customer_id:${server.customerId}:${r}`));
  });

  it('queue, queuecall and agent events update the view without a reload, in either payload shape', async () => {
    make();
    await live();
    const loads = gets();
    const [first] = [...server.queuecalls.values()];
    server.emit('queuecall_serviced', { ...first, status: 'service' }, 'wrapped');
    await until(() => provider.view().queues[0]!.waiting === 1, fast);
    expect(provider.view().queues[0]!.longestWaitSec).toBe(30);
    server.emit('agent_status_updated', { ...bob, status: 'busy' }, 'bare');
    await until(() => provider.view().colleagues[0]!.presence === 'busy', fast);
    expect(provider.view().queues[0]!.availableAgents).toBe(0);
    const newcomer = server.addWaiting(support, 5_000);
    server.emit('queue_updated', support, 'bare');
    server.emit('queuecall_created', newcomer, 'wrapped');
    await until(() => provider.view().queues[1]!.waiting === 1, fast);
    expect(provider.view().queues[1]!.longestWaitSec).toBe(5);
    server.emit('queue_deleted', support);
    await until(() => provider.view().queues.length === 1, fast);
    expect(gets()).toBe(loads);
  });

  it('a reconnect reloads everything (what was missed is unknown) and goes live again', async () => {
    make();
    await live();
    clock.advance(2_000);
    const loads = gets();
    server.addWaiting(sales, 1_000); // missed while disconnected
    server.dropSockets();
    await until(() => provider.view().state === 'connecting', fast);
    expect(provider.view().reason).toMatch(/reconnecting in 1 s/);
    clock.advance(1_000);
    await until(() => gets() > loads && provider.view().state === 'live', fast);
    expect(provider.view().queues[0]!.waiting).toBe(3);
  });

  it('wrap-up is kept by the console and sent as busy; the platform\'s own busy does not end it, its available does', async () => {
    make();
    await live();
    await provider.setAgentStatus!('wrap-up');
    expect(server.requests.at(-1)).toMatchObject({ method: 'PUT', path: '/v1.0/service_agents/me/status', body: { status: 'busy' } });
    expect(provider.view().agentStatus).toBe('wrap-up');
    // The platform's agent_status_updated (busy) has come back and been handled by now: the socket is ordered.
    await server.roundTrip();
    expect(provider.view().agentStatus).toBe('wrap-up');
    await provider.setAgentStatus!('available');
    expect(server.me.status).toBe('available');
    expect(provider.view().agentStatus).toBe('available');
    server.emit('agent_status_updated', { ...server.me, status: 'away' });
    await until(() => provider.view().agentStatus === 'away', fast);
  });

  it('wrapUpAs: away sends the console\'s wrap-up as away', async () => {
    make('agent1', { wrapUpAs: 'away' });
    await live();
    await provider.setAgentStatus!('wrap-up');
    expect(server.me.status).toBe('away');
    expect(provider.view().agentStatus).toBe('wrap-up');
  });

  it('a plain agent role: the view says failed with "Your VoIPBIN role cannot see queues; ask for manager permission or an access key", keeps its own status, never throws', async () => {
    make('plain');
    await until(() => provider.view().state === 'failed', fast);
    const v = provider.view();
    expect(v.reason).toBe('Your VoIPBIN role cannot see queues; ask for manager permission or an access key.');
    expect(v.agentStatus).toBe('busy');
    expect(clock.pending).toBe(0); // no retry: only a new role or key helps
  });

  it('an unreachable platform: failed with "Trying again", retried on the injected clock, then live', async () => {
    server.fail('GET', /\/service_agents\/me$/, 503);
    make();
    await until(() => provider.view().state === 'failed', fast);
    expect(provider.view().reason).toMatch(/failed to read your agent profile \(HTTP 503\).*Trying again\./);
    clock.advance(2_000);
    await live();
  });

  it('stop() closes the socket, cancels every timer and calls no listener afterwards', async () => {
    make();
    await live();
    const before = views.length;
    await provider.stop();
    server.emit('agent_updated', { ...bob, status: 'away' });
    await until(() => server.openSockets === 0, fast);
    expect(views.length).toBe(before);
    expect(provider.transferBackend.pending()).toBe(0);
    expect(provider.view().provider).toBe('voipbin');
  });
});
