/**
 * History as the core starts it: `<dataDir>/history.sqlite3` opened by the
 * storage (./storage.ts: calls a crash left open marked interrupted, a file
 * that cannot be written opened for reading, a damaged one set aside), the
 * recorder the call and transfer services write through (calls kept in
 * memory while the storage refuses them), and retention. Nothing here stops
 * the console from starting: the agent is told, and calls wait to be written.
 */
import { join } from 'node:path';
import type { RecordingStatus } from '../../preload/contract';
import type { Logger } from '../logging/logger';
import type { CallRecorder } from './recorder';
import type { HistoryRepository } from './repository';
import { startRetention } from './retention';
import { HistoryStorage, type AgentHistory, type HistoryReader } from './storage';

export { HistoryRepository } from './repository';
export { HistoryTooNewError } from './database';
export { safeRecorder, type CallRecorder } from './recorder';
export type { AgentHistory, HistoryReader } from './storage';

export const historyFileName = 'history.sqlite3';

/** The history as the rest of main holds it: its reads and its recorder, on whichever file is open. */
export type ConsoleHistory = HistoryReader & CallRecorder;

export interface HistoryService {
  /** The open file (null when none could be opened); it changes when the storage comes back or a damaged file is replaced. */
  readonly repo: HistoryRepository | null;
  /** The history channels' reads and edits, always on the open file. */
  readonly reader: HistoryReader;
  /** What the call and transfer services record through: never throws, keeps events while the storage refuses them. */
  readonly recorder: CallRecorder;
  /** The reader and the recorder in one object that outlives any one file. */
  readonly history: ConsoleHistory;
  /** Where the agent's status periods go. */
  readonly agent: AgentHistory;
  /** Why the history cannot be read, while it cannot. */
  readonly unavailable: string;
  /** Whether calls are being recorded, and if not why (history:recording). */
  recording(): RecordingStatus;
  /** Every change of the recording status; returns the unsubscribe. */
  onRecording(listener: (status: RecordingStatus) => void): () => void;
  stop(): void;
}

export function startHistory(options: {
  dataDir: string;
  log: Logger;
  now: () => number;
  retentionDays: () => number | null;
  notice: (level: 'info' | 'warning' | 'error', message: string) => void;
  /** Events kept in memory at most while the storage refuses writes (default 10,000). */
  capacity?: number;
  /** The back-off probe (default 1 s doubling to a minute). */
  probe?: { firstMs?: number; maxMs?: number };
}): HistoryService {
  const storage = new HistoryStorage({
    file: join(options.dataDir, historyFileName),
    log: options.log,
    now: options.now,
    notice: options.notice,
    ...(options.capacity !== undefined && { capacity: options.capacity }),
    ...(options.probe && { probe: options.probe }),
  });
  const recorder = storage.recorder;
  const history: ConsoleHistory = {
    ...storage.reader,
    callStarted: (e) => recorder.callStarted(e),
    callAnswered: (id, at) => recorder.callAnswered(id, at),
    callEnded: (e) => recorder.callEnded(e),
    holdStarted: (id, at, heard) => recorder.holdStarted(id, at, heard),
    holdEnded: (id, at) => recorder.holdEnded(id, at),
    transferStep: (e) => recorder.transferStep(e),
  };
  const retention = startRetention({ store: storage.prunable, retentionDays: options.retentionDays, now: options.now, log: options.log });
  return {
    get repo() {
      return storage.current;
    },
    reader: storage.reader,
    recorder,
    history,
    agent: storage.agent,
    get unavailable() {
      return storage.unavailable;
    },
    recording: () => storage.status(),
    onRecording: (listener) => storage.onStatus(listener),
    stop() {
      retention.stop();
      storage.stop();
    },
  };
}
