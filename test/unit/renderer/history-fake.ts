/**
 * A history for renderer tests: `n` call summaries answered by history:page
 * and history:search with main's keyset semantics (newest first, cursor =
 * the last row), over the fake console API. Not a test file itself.
 */
import type { CallDetail, CallSummary, HistoryCursor, Result } from '../../../preload/contract';
import { fakeConsoleApi, type Answer, type FakeConsoleApi } from '../../support/console-api';

export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

export function summary(id: number, over: Partial<CallSummary> = {}): CallSummary {
  return {
    id,
    callId: `c${id}`,
    direction: 'incoming',
    localLine: 'sip:1001@pbx.example.com',
    remote: { number: `+1 202 555 ${String(id % 10_000).padStart(4, '0')}`, uri: null, displayName: `Caller ${id}` },
    queue: null,
    startedAt: T0 + id * 60_000,
    ringingAt: null,
    answeredAt: T0 + id * 60_000 + 3_000,
    endedAt: T0 + id * 60_000 + 63_000,
    durationMs: 60_000,
    outcome: 'answered',
    sipCode: null,
    sipReason: null,
    endedBy: 'remote',
    transferred: false,
    transferTarget: null,
    held: false,
    disposition: null,
    noteCount: 0,
    ...over,
  };
}

export function detailOf(call: CallSummary, over: Partial<CallDetail> = {}): CallDetail {
  return { call, transfers: [], holds: [], notes: [], ...over };
}

type PageReq = { cursor?: HistoryCursor | null; limit?: number; query?: string };

/** Rows `n` … 1 (newest first); `answers` add to or override the channels. */
export function fakeHistoryApi(n: number, answers: Record<string, Answer> = {}, rows?: CallSummary[]): FakeConsoleApi & { calls: CallSummary[]; pageRequests: PageReq[] } {
  const calls = rows ?? Array.from({ length: n }, (_, i) => summary(n - i));
  const pageRequests: PageReq[] = [];
  const page = (req: PageReq, list: CallSummary[]): Result<unknown> => {
    pageRequests.push(req);
    const limit = req.limit ?? 50;
    const from = req.cursor ? list.findIndex((c) => c.id < req.cursor!.id) : 0;
    const items = from < 0 ? [] : list.slice(from, from + limit);
    const more = from >= 0 && from + limit < list.length;
    const last = items.at(-1);
    return { ok: true, value: { items, nextCursor: more && last ? { startedAt: last.startedAt, id: last.id } : null } };
  };
  const fake = fakeConsoleApi({
    answers: {
      'history:page': (req: PageReq) => page(req, calls),
      'history:search': (req: PageReq) => page(req, calls.filter((c) => JSON.stringify(c).toLowerCase().includes((req.query ?? '').toLowerCase()))),
      'history:missed': () => ({ ok: true, value: { unseen: 0, seenThrough: 0 } }),
      'history:mark-seen': () => ({ ok: true, value: { unseen: 0, seenThrough: calls[0]?.id ?? 0 } }),
      'history:get': (id: number) => {
        const call = calls.find((c) => c.id === id);
        return call ? { ok: true, value: detailOf(call) } : { ok: false, code: 'not-found', message: `No call ${id} in the history.` };
      },
      ...answers,
    },
  });
  return Object.assign(fake, { calls, pageRequests });
}
