/**
 * Transfer targets through the whole console, the way an admin sets them up:
 * the configured colleague, then provider:save {kind: 'sip'} — the core starts
 * the SIP presence provider on its own registered line, and targets:list /
 * targets:changed follow a SIP.js colleague through Kamailio's presence server
 * (idle → ringing → busy → idle). Back to the configured list, the busy-lamp
 * subscription ends. See docs/targets.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Presence, TargetsView } from '../../preload/contract';
import { until } from '../support/until';
import { startConsole, type ConsoleUnderTest } from './console-fixture';
import { labUnavailable, startLab, type Lab, type Peer } from './lab';

describe.skipIf(labUnavailable())('the console’s transfer targets with live SIP presence', () => {
  let lab: Lab;
  let agent: ConsoleUnderTest;
  let colleague: Peer;
  let caller: Peer;

  beforeAll(async () => {
    lab = await startLab({
      name: 'console-targets',
      peers: [
        { name: 'colleague', user: '2001', signal: 'transferee' },
        { name: 'caller', user: '3001', signal: 'caller' },
      ],
    });
    colleague = lab.peer('colleague');
    caller = lab.peer('caller');
    agent = await startConsole(lab);
  });
  afterAll(async () => {
    await agent?.stop();
    await lab?.stop();
  });

  const presence = async (): Promise<Presence | undefined> => {
    const view = await agent.request<TargetsView>('targets:list');
    return view.provider === 'sip' ? view.colleagues.find((c) => c.name === 'Alex')?.presence : undefined;
  };
  const becomes = (wanted: Presence, what: string) =>
    until(async () => (await presence()) === wanted, { timeoutMs: 10_000, intervalMs: 25, what });

  it('the configured colleague is followed live once the SIP provider is chosen, and released when it is not', async () => {
    await agent.request('settings:update', { targets: { colleagues: [{ name: 'Alex', address: colleague.uri }] } });
    expect(await agent.request<TargetsView>('targets:list')).toMatchObject({ provider: 'configured', colleagues: [{ name: 'Alex', presence: 'unknown' }] });

    await agent.request('provider:save', { kind: 'sip' });
    await becomes('available', 'Alex available');
    expect(await agent.request<TargetsView>('targets:list')).toMatchObject({ provider: 'sip', state: 'live' });

    await caller.call(colleague);
    const incoming = await colleague.waitForIncoming();
    await becomes('ringing', 'Alex ringing');
    await colleague.answer(incoming);
    await becomes('busy', 'Alex busy');
    await colleague.hangup(incoming);
    await becomes('available', 'Alex available again');

    await agent.request('provider:save', { kind: 'configured' });
    expect(await agent.request<TargetsView>('targets:list')).toMatchObject({ provider: 'configured', colleagues: [{ name: 'Alex', presence: 'unknown' }] });
  }, 60_000);
});
