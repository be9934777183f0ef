/**
 * Colleagues' presence through a real SIP presence server: the console's SIP
 * line (JsSIP) + the SIP target provider (main/sip/presence.ts) subscribe to
 * the dialog event package at the lab's Kamailio (dialog + pua_dialoginfo +
 * presence_dialoginfo, test/lab/kamailio.cfg), while independent SIP.js
 * peers make the calls. The colleague goes idle → ringing → busy → idle and
 * the provider's view must follow each step; the time each step took is
 * printed (a figure, not an assertion: timings belong to test/bench/). Then: the subscription outlives
 * its own Expires (JsSIP refreshes it), survives a Kamailio restart (the
 * provider subscribes again after the line re-registers), and stop() leaves
 * no subscription, timer or listener behind. No media: the console places no call.
 *
 *   unshare --net sh -c 'ip link set lo up; AGENT_CONSOLE_IN_NETNS=1 npx vitest run --project lab test/lab/console-presence.test.ts'
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Presence, TargetsView } from '../../preload/contract/targets';
import { targetsViewSchema } from '../../preload/contract/targets';
import type { Logger } from '../../main/logging/logger';
import { createSipPresenceProvider, type PresenceLine, type SipPresenceProvider } from '../../main/sip/presence';
import { createLine, type Line } from '../../main/sip/line';
import { fakeMicrophone } from '../integration/sip-peer';
import { until } from '../support/until';
import { labUnavailable, startLab, type Lab, type Peer } from './lab';

const EXPIRES_SEC = 10;

describe.skipIf(labUnavailable())('colleagues’ presence (busy-lamp field) through Kamailio', () => {
  let lab: Lab;
  let colleague: Peer;
  let caller: Peer;
  let line: Line;
  let provider: SipPresenceProvider;
  const views: Array<{ at: number; view: TargetsView }> = [];
  const warnings: string[] = [];
  const subscribers: Array<ReturnType<Line['subscribe']>> = [];
  let statusListeners = 0;
  const measured: Record<string, number> = {};

  const log: Logger = {
    error: (m, d) => warnings.push(`${m} ${JSON.stringify(d ?? '')}`),
    warn: (m, d) => warnings.push(`${m} ${JSON.stringify(d ?? '')}`),
    info: () => {},
    debug: () => {},
    scope: () => log,
  };
  const presenceOf = (v: TargetsView | undefined) => v?.colleagues.find((c) => c.address === colleague.uri)?.presence;
  /** The first view at or after `since` in which the colleague shows `presence`; resolves with its time. */
  const seen = (presence: Presence, since: number, what: string) =>
    until(() => views.find((v) => v.at >= since && presenceOf(v.view) === presence)?.at, {
      timeoutMs: 10_000,
      what,
      wake: (check) => provider.onChange(check),
      detail: () => `views since: ${views.filter((v) => v.at >= since).map((v) => `${v.view.state}/${presenceOf(v.view)}`).join(' → ') || 'none'}`,
    });
  /** Prints how long a step took (the waits themselves have deadlines; a figure is no assertion). */
  const step = (name: string, ms: number) => {
    measured[name] = Math.round(ms * 10) / 10;
    console.info(`[presence] ${name}: ${measured[name]} ms`);
  };
  /** Every SUBSCRIBE Kamailio logged: its dialog's Call-ID (refreshes go to the Contact, not the AOR) and R-URI. */
  const subscribesLogged = () =>
    [...readFileSync(lab.kamailioLog, 'utf8').matchAll(/\{\d+ \d+ SUBSCRIBE (\S+)\} <script>: REQ SUBSCRIBE (\S+)/g)].map((m) => ({ callId: m[1]!, ruri: m[2]! }));
  const subscribesInKamailioLog = () => subscribesLogged().length;

  beforeAll(async () => {
    lab = await startLab({
      name: 'console-presence',
      peers: [
        { name: 'colleague', user: '2001', signal: 'transferee' },
        { name: 'caller', user: '3001', signal: 'caller' },
      ],
    });
    colleague = lab.peer('colleague');
    caller = lab.peer('caller');
    line = createLine(
      { wsUrl: lab.wsUrl, sipUri: `sip:1001@${lab.domain}`, password: 'lab', acceptSelfSigned: false },
      { log, media: fakeMicrophone(), reconnectMinSec: 1, reconnectMaxSec: 2, keepAliveMs: 5000, pongTimeoutMs: 3000 },
    );
    // Counts what the provider takes from the line, to check that stop() gives it all back.
    const counted: PresenceLine = {
      status: () => line.status(),
      onStatus(listener) {
        statusListeners++;
        const off = line.onStatus(listener);
        return () => {
          statusListeners--;
          off();
        };
      },
      subscribe(...args) {
        const s = line.subscribe(...args);
        subscribers.push(s);
        return s;
      },
    };
    provider = createSipPresenceProvider(
      counted,
      { queues: [{ name: 'Sales', address: 'sip:sales@lab.invalid' }], colleagues: [{ name: 'Colleague', address: colleague.uri }] },
      { log, expiresSec: EXPIRES_SEC, retryMs: 1000 },
    );
    provider.onChange((view) => views.push({ at: Date.now(), view }));
    provider.start();
    line.start();
  }, 120_000);

  afterAll(async () => {
    await provider?.stop();
    await line?.stop();
    await lab?.stop();
  });

  it('the view is valid and the idle colleague shows available once the line is registered', async () => {
    const t0 = Date.now();
    await seen('available', 0, 'the colleague available');
    step('first view with the idle colleague after start', Date.now() - t0);
    const view = provider.view();
    expect(targetsViewSchema.parse(view)).toEqual(view);
    expect(view).toMatchObject({ provider: 'sip', state: 'live', reason: null, agentStatus: null });
    expect(view.queues).toEqual([{ id: 'queue:sip:sales@lab.invalid', name: 'Sales', address: 'sip:sales@lab.invalid', waiting: null, longestWaitSec: null, availableAgents: null }]);
    // Before the line registered, the provider said so rather than guess.
    expect(views[0]?.view.state).toBe('connecting');
    expect(presenceOf(views[0]?.view)).toBe('unknown');
  });

  it('follows the colleague: idle → ringing → busy → idle', async () => {
    // Views are stamped with Node's clock, the peer's events with Chromium's: windows start from Node's.
    const dialled = Date.now();
    const call = await caller.call(colleague);
    const incoming = await colleague.waitForIncoming();
    await colleague.waitForCallState(incoming, 'ringing');
    const invited = colleague.mark('invite-received', incoming)!;
    step('ringing (INVITE at the colleague → view)', (await seen('ringing', dialled, 'ringing')) - invited);

    const answered = Date.now();
    await colleague.answer(incoming);
    step('busy (answer() → view)', (await seen('busy', answered, 'busy')) - answered);
    await caller.waitForCallState(call, 'established');

    const hungUp = Date.now();
    await colleague.hangup(incoming);
    step('idle (hangup() → view)', (await seen('available', hungUp, 'available again')) - hungUp);
    await caller.waitForCallState(call, 'terminated');
    expect(warnings).toEqual([]);
  });

  it('a caller who gives up while it rings leaves the colleague available', async () => {
    await lab.reset();
    const dialled = Date.now();
    const call = await caller.call(colleague);
    const incoming = await colleague.waitForIncoming();
    await colleague.waitForCallState(incoming, 'ringing');
    await seen('ringing', dialled, 'ringing');
    const cancelled = Date.now();
    await caller.hangup(call);
    step('idle after CANCEL', (await seen('available', cancelled, 'available after CANCEL')) - cancelled);
  });

  it(`the subscription outlives its Expires (${EXPIRES_SEC} s): JsSIP refreshes it before it runs out`, async () => {
    await lab.reset();
    const before = subscribesInKamailioLog();
    const started = Date.now();
    // A refresh every EXPIRES_SEC - 5 s (JsSIP's rule below 140 s): wait for two of them — the subscription
    // has then lived past its Expires — with a deadline, not for a fixed time.
    await until(() => subscribesInKamailioLog() - before >= 2, { timeoutMs: (EXPIRES_SEC + 10) * 1000, what: 'two refreshing SUBSCRIBEs at Kamailio' });
    step('two refreshes', Date.now() - started);
    const dialledAfterRefresh = Date.now();
    const call = await caller.call(colleague);
    const incoming = await colleague.waitForIncoming();
    await colleague.waitForCallState(incoming, 'ringing');
    step('ringing after the refreshes', (await seen('ringing', dialledAfterRefresh, 'ringing after refresh')) - colleague.mark('invite-received', incoming)!);
    const hungUp = Date.now();
    await caller.hangup(call);
    await seen('available', hungUp, 'available');
  }, 40_000);

  it('a Kamailio restart (all subscriptions lost): unknown while the line is down, live again after it re-registers', async () => {
    await lab.reset();
    const restarted = Date.now();
    const subscribersBefore = subscribers.length;
    await lab.restartKamailio();
    await seen('unknown', restarted, 'unknown while reconnecting');
    const back = await seen('available', restarted, 'available after re-registration');
    step('restart → available again', back - restarted);
    expect(subscribers.length).toBeGreaterThan(subscribersBefore);
    // The peers re-register on their own; the new subscription must carry new state.
    await until(async () => (await colleague.state()).registered && (await caller.state()).registered, { timeoutMs: 15_000, what: 'peers registered again' });
    const dialled = Date.now();
    const call = await caller.call(colleague);
    const incoming = await colleague.waitForIncoming(15_000);
    await colleague.waitForCallState(incoming, 'ringing');
    const invited = colleague.mark('invite-received', incoming)!;
    step('ringing after the restart', (await seen('ringing', dialled, 'ringing after restart')) - invited);
    const hungUp = Date.now();
    await caller.hangup(call);
    await seen('available', hungUp, 'available');
    expect(warnings.filter((w) => /malformed/.test(w))).toEqual([]);
  }, 60_000);

  it('stop() ends every subscription and leaves no timer or listener', async () => {
    await lab.reset();
    const changes: TargetsView[] = [];
    provider.onChange((v) => changes.push(v));
    const live = provider.resources().subscriptions;
    const before = subscribesInKamailioLog();
    // A control subscription on the same line, started now and left running: its first refresh comes
    // EXPIRES_SEC - 5 s after its 200 — no earlier than any refresh of the provider's subscription
    // would have come had stop() not ended it. That refresh ends the window of the absence check below.
    const control = line.subscribe(caller.uri, 'dialog', 'application/dialog-info+xml', { expires: EXPIRES_SEC, contentType: 'application/dialog-info+xml' });
    control.subscribe();
    await provider.stop();
    await provider.stop(); // twice is safe
    expect(provider.resources()).toEqual({ subscriptions: 0, timers: 0, lineListeners: 0, changeListeners: 0 });
    expect(statusListeners).toBe(0);
    for (const s of subscribers) {
      expect(s.state as unknown as number).toBe(2); // Subscriber.C.STATE_TERMINATED
      // JsSIP's own refresh timer: cleared (Node marks a cleared Timeout destroyed) or never set.
      const timer = (s as unknown as { _expires_timer: { _destroyed?: boolean } | null })._expires_timer;
      expect(timer === null || timer._destroyed === true).toBe(true);
      for (const ev of ['notify', 'terminated', 'active', 'accepted', 'pending']) expect(s.listenerCount(ev)).toBe(0);
    }
    // The server was told (one un-SUBSCRIBE per live subscription) and nothing follows: counted from
    // Kamailio's log over the whole window, which ends when the control subscription has refreshed
    // (its second SUBSCRIBE is in the log, so is everything sent before it).
    const controlCallId = () => subscribesLogged().find((x) => x.ruri.startsWith(caller.uri))?.callId;
    await until(() => subscribesLogged().filter((x) => x.callId === controlCallId()).length >= 2, {
      timeoutMs: (EXPIRES_SEC + 5) * 1000,
      what: 'the control subscription refreshed',
    });
    control.terminate();
    expect(live).toBe(1);
    expect(subscribesLogged().filter((x) => x.callId !== controlCallId())).toHaveLength(before + live);
    expect(changes.at(-1)).toMatchObject({ state: 'connecting', reason: 'Presence is stopped.' });
    console.info(`[presence] measured: ${JSON.stringify(measured)}`);
  }, 20_000);
});
