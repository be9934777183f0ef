import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { safeRecorder } from '../../../main/history/recorder';
import type { HistoryRepository } from '../../../main/history/repository';
import { silentLogger } from '../../../main/logging/logger';
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
