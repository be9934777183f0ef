/**
 * History as the core starts it: open `<dataDir>/history.sqlite3` (marking
 * calls a crash left open as interrupted) and start retention. A database
 * that cannot be opened — e.g. written by a newer console — does not stop the
 * console: the agent gets a notice, `unavailable` says why (the history
 * channels answer with it), and the file is left as it was.
 */
import { join } from 'node:path';
import { ConsoleError } from '../../preload/contract';
import type { Logger } from '../logging/logger';
import { HistoryRepository } from './repository';
import { startRetention } from './retention';

export { HistoryRepository } from './repository';
export { HistoryTooNewError } from './database';
export { safeRecorder, type CallRecorder } from './recorder';

export const historyFileName = 'history.sqlite3';

export interface HistoryService {
  /** null when the database could not be opened (see the notice). */
  readonly repo: HistoryRepository | null;
  /** Why the history is not available (when `repo` is null). */
  readonly unavailable: string;
  stop(): void;
}

export function startHistory(options: {
  dataDir: string;
  log: Logger;
  now: () => number;
  retentionDays: () => number | null;
  notice: (level: 'info' | 'warning' | 'error', message: string) => void;
}): HistoryService {
  let repo: HistoryRepository | null = null;
  let reason = 'The call history is not available.';
  try {
    repo = new HistoryRepository(join(options.dataDir, historyFileName), { log: options.log, now: options.now });
  } catch (e) {
    reason = e instanceof ConsoleError ? e.message : `The call history could not be opened: ${String(e)}`;
    options.log.error('history: not opened', { error: String(e) });
    options.notice('error', reason);
  }
  if (repo && repo.recoveredCalls > 0) {
    options.notice(
      'info',
      `${repo.recoveredCalls} call(s) were still up when the console last stopped; they are marked "interrupted" in the history.`,
    );
  }
  const retention = repo
    ? startRetention({ store: repo, retentionDays: options.retentionDays, now: options.now, log: options.log })
    : null;
  return {
    repo,
    unavailable: reason,
    stop() {
      retention?.stop();
      repo?.close();
    },
  };
}
