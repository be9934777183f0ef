/**
 * Adapts the call service's small recorder port to the history repository's
 * recorder (main/history/recorder.ts): adds the local line and derives the
 * stored outcome from how the call ended. Direction and who ended the call go
 * through as the service says them — history uses the same words. Type-only
 * import: main/calls stays free of better-sqlite3.
 */
import type { CallOutcome } from '../../../preload/contract/history';
import type { CallRecorder as HistoryRecorder } from '../../history/recorder';
import type { CallDirection, EndedBy } from './machine';
import type { CallRecorder } from './ports';

/** RFC 3261 §21 codes → the outcome an agent reads in history. */
export function outcomeOf(c: { direction: CallDirection; answered: boolean; by: EndedBy; code: number | null; reason: string }): Exclude<CallOutcome, 'interrupted'> {
  if (c.answered) return 'answered';
  if (c.direction === 'incoming') {
    if (c.by === 'agent') return 'declined';
    // Refused busy by the console itself (every call slot in use): a call the agent missed.
    if (c.by === 'system' && c.code === 486) return 'missed';
    return c.by === 'remote' ? 'missed' : 'failed';
  }
  if (c.by === 'agent') return 'cancelled';
  if (c.code === 486 || c.code === 600) return 'busy';
  if (c.code === 408 || c.code === 480 || c.code === 487) return 'no-answer';
  return 'failed';
}

export function historyRecorder(history: HistoryRecorder, localLine: () => string): CallRecorder {
  const directions = new Map<string, CallDirection>();
  return {
    callStarted(c) {
      directions.set(c.callId, c.direction);
      history.callStarted({
        callId: c.callId,
        direction: c.direction,
        localLine: localLine(),
        remote: c.remote,
        at: c.at,
        // Who transferred the caller to the agent, as the call card says it; kept with the call's row.
        ...(c.transferredBy && { transferredBy: c.transferredBy }),
      });
    },
    callAnswered: (c) => history.callAnswered(c.callId, c.at),
    holdStarted: (c) => history.holdStarted(c.callId, c.at, c.heard),
    holdEnded: (c) => history.holdEnded(c.callId, c.at),
    callEnded(c) {
      const direction = directions.get(c.callId) ?? 'outgoing';
      directions.delete(c.callId);
      history.callEnded({
        callId: c.callId,
        at: c.at,
        outcome: outcomeOf({ direction, answered: c.answered, by: c.by, code: c.code, reason: c.reason }),
        endedBy: c.by,
        sipCode: c.code,
        sipReason: c.reason,
      });
    },
  };
}
