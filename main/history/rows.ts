/**
 * The SQL the repository reads with, as fixed fragments: which fragments are
 * used depends on which filters are set, but user values are only ever bound
 * parameters. Also the row → contract mapping every row passes through.
 */
import { callSummarySchema, ConsoleError, type CallSummary, type historyFilterSchema } from '../../preload/contract';
import { digitsOf, uriUser } from './digits';
import { reverseDigits } from './migrations/0003-number-suffix';
import type { SearchPlan } from './search';

export type Filter = ReturnType<typeof historyFilterSchema.parse>;

export interface CallRow {
  id: number;
  call_key: string;
  direction: string;
  local_line: string;
  remote_number: string | null;
  remote_uri: string | null;
  remote_name: string | null;
  queue: string | null;
  started_at: number;
  ringing_at: number | null;
  answered_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
  outcome: string | null;
  sip_code: number | null;
  sip_reason: string | null;
  ended_by: string | null;
  disposition: string | null;
  transferred: number;
  transfer_target: string | null;
  held: number;
  note_count: number;
  transferred_by_name: string | null;
  transferred_by_number: string | null;
  transferred_by_uri: string | null;
}

export const summaryColumns = `
  c.id, c.call_key, c.direction, c.local_line, c.remote_number, c.remote_uri, c.remote_name, c.queue,
  c.started_at, c.ringing_at, c.answered_at, c.ended_at, c.duration_ms, c.outcome, c.sip_code, c.sip_reason,
  c.ended_by, c.disposition, c.transferred_by_name, c.transferred_by_number, c.transferred_by_uri,
  EXISTS (SELECT 1 FROM transfer_steps t WHERE t.call_id = c.id) AS transferred,
  (SELECT t.target FROM transfer_steps t WHERE t.call_id = c.id
     ORDER BY t.step = 'completed' DESC, t.at DESC, t.id DESC LIMIT 1) AS transfer_target,
  EXISTS (SELECT 1 FROM holds h WHERE h.call_id = c.id) AS held,
  (SELECT count(*) FROM call_notes n WHERE n.call_id = c.id) AS note_count`;

/** Fixed SQL fragments per filter key; values are bound by name. */
export function filterSql(f: Filter): string[] {
  const where: string[] = [];
  if (f.direction !== undefined) where.push('c.direction = @direction');
  if (f.outcomes !== undefined) where.push('c.outcome IN (SELECT value FROM json_each(@outcomes))');
  if (f.transferred === true) where.push('EXISTS (SELECT 1 FROM transfer_steps t WHERE t.call_id = c.id)');
  if (f.transferred === false) where.push('NOT EXISTS (SELECT 1 FROM transfer_steps t WHERE t.call_id = c.id)');
  if (f.from !== undefined) where.push('c.started_at >= @from');
  if (f.to !== undefined) where.push('c.started_at < @to');
  return where;
}

export function filterParams(f: Filter): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  if (f.direction !== undefined) p.direction = f.direction;
  if (f.outcomes !== undefined) p.outcomes = JSON.stringify(f.outcomes);
  if (f.from !== undefined) p.from = f.from;
  if (f.to !== undefined) p.to = f.to;
  return p;
}

export function toSummary(row: CallRow): CallSummary {
  // Only a call that arrived by transfer carries it (as the call snapshot does).
  const transferredBy =
    row.transferred_by_name !== null || row.transferred_by_number !== null || row.transferred_by_uri !== null
      ? { number: row.transferred_by_number, uri: row.transferred_by_uri, displayName: row.transferred_by_name }
      : null;
  const parsed = callSummarySchema.safeParse({
    id: row.id,
    callId: row.call_key,
    direction: row.direction,
    localLine: row.local_line,
    remote: { number: row.remote_number, uri: row.remote_uri, displayName: row.remote_name },
    queue: row.queue,
    startedAt: row.started_at,
    ringingAt: row.ringing_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    durationMs: row.duration_ms,
    outcome: row.outcome,
    sipCode: row.sip_code,
    sipReason: row.sip_reason,
    endedBy: row.ended_by,
    transferred: row.transferred === 1,
    transferTarget: row.transfer_target,
    held: row.held === 1,
    disposition: row.disposition,
    noteCount: row.note_count,
    ...(transferredBy && { transferredBy }),
  });
  if (!parsed.success) {
    throw new ConsoleError('storage', `Call ${row.id} in the history has unexpected content (${parsed.error.issues[0]?.path.join('.')}).`);
  }
  return parsed.data;
}

/** The searchable digits of the remote party: its number, else the user part of its URI. */
export function digitColumns(number: string | null, uri: string | null) {
  const digits = digitsOf(number ?? uriUser(uri));
  return { digits, digitsRev: reverseDigits(digits) };
}

/** FROM/WHERE/ORDER for a search plan; every user value is a bound parameter. */
export function searchSql(plan: SearchPlan): { from: string; where: string; order: string; idColumn: string; params: Record<string, unknown> } {
  if (plan.kind === 'number') {
    return {
      from: 'calls c',
      where: `(c.remote_digits_rev >= @rev AND c.remote_digits_rev < @revEnd
               OR c.remote_digits_rev IN (SELECT value FROM json_each(@revTails)))`,
      order: 'c.id DESC',
      idColumn: 'c.id',
      params: { rev: plan.reversed, revEnd: `${plan.reversed}:`, revTails: JSON.stringify(plan.reversedTails) },
    };
  }
  return {
    from: 'call_search s JOIN calls c ON c.id = s.rowid',
    where: 'call_search MATCH @match',
    order: 's.rowid DESC',
    // On the FTS side, so FTS5 itself starts after the cursor.
    idColumn: 's.rowid',
    params: { match: plan.match },
  };
}

export const clampLimit = (limit: number | undefined) => Math.min(Math.max(Math.trunc(limit ?? 50), 1), 200);
