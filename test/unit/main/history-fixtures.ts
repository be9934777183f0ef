/** Shared helpers for the history tests: a temp data folder and a few recorded calls. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { migrations } from '../../../main/history/migrations';
import { HistoryRepository } from '../../../main/history/repository';
import type { CallRecorder } from '../../../main/history/recorder';
import type { CallDirection } from '../../../preload/contract';

export function tempDir(prefix = 'history-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * For the migration tests: each test in the calling file gets a history file path in a fresh temp
 * folder, removed after the test. Call at the file's top level; read the path inside a test.
 */
export function historyFilePerTest(prefix: string): () => string {
  let tmp: ReturnType<typeof tempDir> | null = null;
  beforeEach(() => {
    tmp = tempDir(prefix);
  });
  afterEach(() => {
    tmp?.remove();
    tmp = null;
  });
  return () => {
    if (!tmp) throw new Error('historyFilePerTest: read the path inside a test');
    return join(tmp.dir, 'history.sqlite3');
  };
}

/** The migrations up to and including `version`: a file as an older console left it. */
export const migrationsUpTo = (version: number) => migrations.filter((m) => m.version <= version);

export function openRepo(dir: string, now = () => 1_800_000_000_000): HistoryRepository {
  return new HistoryRepository(join(dir, 'history.sqlite3'), { now });
}

/** Records one complete call the way the call service would: event by event, each its own transaction. */
export function recordCall(
  r: CallRecorder,
  o: {
    callId: string;
    at: number;
    direction?: CallDirection;
    number?: string | null;
    name?: string | null;
    uri?: string | null;
    queue?: string | null;
    answered?: boolean;
    outcome?: 'answered' | 'missed' | 'declined' | 'busy' | 'no-answer' | 'cancelled' | 'failed' | 'transferred';
    transferTo?: string;
    talkMs?: number;
  },
): void {
  r.callStarted({
    callId: o.callId,
    direction: o.direction ?? 'incoming',
    localLine: 'sip:1001@pbx.example.com',
    remote: { number: o.number ?? null, uri: o.uri ?? null, displayName: o.name ?? null },
    queue: o.queue ?? null,
    at: o.at,
  });
  const answered = o.answered ?? o.outcome !== 'missed';
  if (answered) r.callAnswered(o.callId, o.at + 2_000);
  if (o.transferTo) {
    r.transferStep({ callId: o.callId, transferId: `${o.callId}-t`, step: 'requested', mode: 'blind', target: o.transferTo, at: o.at + 5_000 });
    r.transferStep({ callId: o.callId, transferId: `${o.callId}-t`, step: 'completed', mode: 'blind', target: o.transferTo, sipCode: 200, at: o.at + 6_000 });
  }
  r.callEnded({
    callId: o.callId,
    at: o.at + 2_000 + (o.talkMs ?? 60_000),
    outcome: o.outcome ?? (o.transferTo ? 'transferred' : answered ? 'answered' : 'missed'),
    endedBy: 'remote',
    sipCode: answered ? null : 487,
    sipReason: answered ? null : 'Request Terminated',
  });
}
