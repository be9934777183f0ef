import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CALLS } from '../../../main/calls/call/call-set';
import { historyRecorder } from '../../../main/calls/call/history';
import type { RemoteParty } from '../../../main/calls/call/machine';
import type { CallLeg, Telephony } from '../../../main/calls/call/ports';
import { createCallService } from '../../../main/calls/call/service';
import { safeRecorder } from '../../../main/history/recorder';
import type { HistoryRepository } from '../../../main/history/repository';
import { silentLogger } from '../../../main/logging/logger';
import { FakeLeg, remoteFor } from '../../support/call-leg';
import { FakeClock } from '../../support/clock';
import { openRepo, tempDir } from './history-fixtures';

describe('safeRecorder (what the call service holds)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let repo: HistoryRepository;
  beforeEach(() => {
    tmp = tempDir('history-recorder-');
    repo = openRepo(tmp.dir);
  });
  afterEach(() => {
    repo.close();
    tmp.remove();
  });

  it('passes every event through to the history, each committed on its own', () => {
    const rec = safeRecorder(repo, silentLogger);
    rec.callStarted({ callId: 'c', direction: 'outgoing', localLine: 'l', remote: { uri: 'sip:2000@pbx', displayName: 'Front desk' }, at: 1 });
    rec.callAnswered('c', 3);
    rec.holdStarted('c', 4, 'you');
    rec.holdEnded('c', 5);
    rec.transferStep({ callId: 'c', transferId: 't', step: 'requested', mode: 'safe-blind', target: 'sip:3000@pbx', at: 6 });
    // A refused event (the same call started twice) is logged and leaves the events before it in place.
    rec.callStarted({ callId: 'c', direction: 'outgoing', localLine: 'l', remote: {}, at: 7 });
    rec.callEnded({ callId: 'c', at: 9, outcome: 'answered', endedBy: 'agent' });
    const d = repo.get(1);
    expect(d.call).toMatchObject({
      direction: 'outgoing',
      answeredAt: 3,
      endedAt: 9,
      endedBy: 'agent',
      remote: { displayName: 'Front desk', uri: 'sip:2000@pbx' },
    });
    expect(d.holds).toHaveLength(1);
    expect(d.transfers).toMatchObject([{ step: 'requested', mode: 'safe-blind' }]);
    expect(repo.page().items).toHaveLength(1);
  });

  it('logs and swallows history failures so a live call never breaks on them', () => {
    const logged: Array<[string, unknown]> = [];
    const rec = safeRecorder(repo, { ...silentLogger, error: (m, d) => logged.push([m, d]) });
    expect(() => rec.callAnswered('unknown', 1)).not.toThrow();
    expect(() => rec.transferStep({ callId: 'unknown', transferId: 't', step: 'failed', mode: 'blind', target: 'x', at: 1 })).not.toThrow();
    repo.close();
    expect(() => rec.callStarted({ callId: 'x', direction: 'incoming', localLine: 'l', remote: {}, at: 1 })).not.toThrow();
    expect(logged.map(([m]) => m)).toEqual([
      'history: callAnswered not recorded',
      'history: transferStep not recorded',
      'history: callStarted not recorded',
    ]);
    expect(String((logged[0]![1] as { error: string }).error)).toMatch(/No call unknown/);
    repo = openRepo(tmp.dir);
  });
});

describe('who transferred a call, from the call service to the history file', () => {
  let tmp: ReturnType<typeof tempDir>;
  let repo: HistoryRepository;
  beforeEach(() => {
    tmp = tempDir('history-recorder-transferred-');
    repo = openRepo(tmp.dir);
  });
  afterEach(() => {
    repo.close();
    tmp.remove();
  });

  const anna = { number: '2001', uri: 'sip:2001@lab.test', displayName: 'Anna Berg' };

  /** The call service as the core wires it (historyRecorder → safeRecorder → the repository), over fake legs. */
  function service() {
    let incoming: ((leg: CallLeg) => void) | null = null;
    const telephony: Telephony = {
      dial: () => {
        throw new Error('not dialling here');
      },
      onIncoming: (l) => ((incoming = l), () => (incoming = null)),
      isConnected: () => true,
      domain: () => 'lab.test',
    };
    const calls = createCallService({
      recorder: historyRecorder(safeRecorder(repo, silentLogger), () => 'sip:1001@lab.test'),
      alerts: { ringer: () => {}, incoming: () => {}, dismiss: () => {}, missed: () => {}, problem: () => {} },
      music: { set: () => Promise.resolve(null) },
      clock: new FakeClock(50_000),
      preferences: () => ({ dtmf: 'info', declineWith: 'busy' }),
      publish: () => {},
      log: silentLogger,
    });
    calls.attach(telephony);
    const ring = (id: string, o: { transferredBy?: RemoteParty; replaces?: string } = {}) => {
      const leg = Object.assign(new FakeLeg(id, 'incoming', remoteFor(id)), { transferredBy: o.transferredBy ?? null });
      leg.replaces = o.replaces ?? null;
      incoming!(leg);
      return leg;
    };
    return { calls, ring };
  }
  const row = (callId: string) => repo.page({ limit: 200 }).items.find((c) => c.callId === callId);

  it('an incoming call with a Referred-By party is stored with it, from its first event on; others without', () => {
    const { calls, ring } = service();
    ring('via-anna', { transferredBy: anna });
    ring('plain');
    expect(row('via-anna')).toMatchObject({ outcome: null, transferredBy: anna });
    expect('transferredBy' in row('plain')!).toBe(false);
    calls.decline('via-anna', 486);
    expect(row('via-anna')).toMatchObject({ outcome: 'declined', transferredBy: anna });
    calls.dispose();
  });

  it('a call with Replaces and no Referred-By: the party of the call it replaced', () => {
    const { calls, ring } = service();
    const first = ring('first');
    calls.answer('first');
    first.emit({ type: 'sip.accepted' });
    ring('replacing', { replaces: 'first' });
    expect(row('replacing')?.transferredBy).toEqual({ number: 'first', uri: 'sip:first@lab.test', displayName: null });
    calls.dispose();
  });

  it(`a transferred call refused because all ${MAX_CALLS} lines are busy is a missed call that still says who transferred it`, () => {
    const { calls, ring } = service();
    for (let i = 0; i < MAX_CALLS; i++) ring(`busy${i}`);
    ring('refused', { transferredBy: anna });
    expect(row('refused')).toMatchObject({ outcome: 'missed', sipCode: 486, transferredBy: anna });
    calls.dispose();
  });
});
