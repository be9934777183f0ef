/**
 * A Logger that keeps every line (with its scope) in memory: a test waits for
 * the line that proves something happened inside main — a SIP transaction's
 * outcome, say — instead of sleeping and hoping it has.
 */
import type { Logger } from '../../main/logging/logger';

export interface LogEntry {
  level: 'error' | 'warn' | 'info' | 'debug';
  scope: string;
  message: string;
  data: unknown;
}

export interface RecordingLogger extends Logger {
  readonly entries: LogEntry[];
}

export function recordingLogger(): RecordingLogger {
  const entries: LogEntry[] = [];
  const scoped = (scope: string): Logger => ({
    error: (message, data) => entries.push({ level: 'error', scope, message, data }),
    warn: (message, data) => entries.push({ level: 'warn', scope, message, data }),
    info: (message, data) => entries.push({ level: 'info', scope, message, data }),
    debug: (message, data) => entries.push({ level: 'debug', scope, message, data }),
    scope: (name) => scoped(scope ? `${scope}.${name}` : name),
  });
  return Object.assign(scoped(''), { entries });
}
