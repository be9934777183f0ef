import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConsoleError,
  historyPageSchema,
  recordedTransferStepKinds,
  transferModes,
  transferSteps,
  type CallSummary,
} from '../../../preload/contract';
import { openDatabase } from '../../../main/history/database';
import type { HistoryRepository } from '../../../main/history/repository';
import { openRepo, recordCall, tempDir } from './history-fixtures';

const T0 = 1_790_000_000_000;
let tmp: ReturnType<typeof tempDir>;
let repo: HistoryRepository;

beforeEach(() => {
  tmp = tempDir();
  repo = openRepo(tmp.dir);
});
afterEach(() => {
  repo.close();
  tmp.remove();
});

const ids = (items: CallSummary[]) => items.map((c) => c.callId);
function typedError(fn: () => unknown): ConsoleError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConsoleError);
    return e as ConsoleError;
  }
  throw new Error('expected a ConsoleError');
}

describe('recording a call as it happens', () => {
  it('leaves a row from the first event on, and completes it event by event', () => {
    repo.callStarted({
      callId: 'c1',
      direction: 'incoming',
      localLine: 'sip:1001@pbx.example.com',
      remote: { number: '+1 (202) 555-0134', uri: 'sip:+12025550134@pbx.example.com', displayName: 'Ada Lovelace' },
      queue: 'support',
      at: T0,
    });
    let [row] = repo.page().items;
    expect(row).toMatchObject({ callId: 'c1', outcome: null, endedAt: null, answeredAt: null, queue: 'support', durationMs: null });

    repo.callAnswered('c1', T0 + 3_000);
    repo.holdStarted('c1', T0 + 10_000, { music: 'builtin:lounge' });
    repo.holdEnded('c1', T0 + 20_000);
    repo.holdStarted('c1', T0 + 30_000, 'silence');
    repo.transferStep({ callId: 'c1', transferId: 'x1', step: 'requested', mode: 'attended', target: 'sip:2000@pbx', at: T0 + 31_000 });
    repo.transferStep({ callId: 'c1', transferId: 'x1', step: 'failed', mode: 'attended', target: 'sip:2000@pbx', sipCode: 486, detail: 'Busy Here', at: T0 + 33_000 });
    repo.transferStep({ callId: 'c1', transferId: 'x1', step: 'taken-back', mode: 'attended', target: 'sip:2000@pbx', at: T0 + 33_500 });
    repo.callEnded({ callId: 'c1', at: T0 + 63_000, outcome: 'answered', endedBy: 'agent' });

    [row] = repo.page().items;
    expect(row).toMatchObject({
      direction: 'incoming',
      outcome: 'answered',
      endedBy: 'agent',
      answeredAt: T0 + 3_000,
      endedAt: T0 + 63_000,
      durationMs: 60_000,
      transferred: true,
      noteCount: 0,
    });
    const detail = repo.get(row!.id);
    expect(detail.holds).toEqual([
      { startedAt: T0 + 10_000, endedAt: T0 + 20_000, heard: 'music', music: 'builtin:lounge' },
      // Still held at hang-up: the end of the call closes the hold period.
      { startedAt: T0 + 30_000, endedAt: T0 + 63_000, heard: 'silence', music: null },
    ]);
    expect(detail.transfers.map((t) => [t.step, t.sipCode])).toEqual([
      ['requested', null],
      ['failed', 486],
      ['taken-back', null],
    ]);
    expect(detail.transfers[1]).toMatchObject({ mode: 'attended', target: 'sip:2000@pbx', detail: 'Busy Here', transferId: 'x1' });
  });

  it('closes the previous hold when a new one starts (e.g. the music changed)', () => {
    recordCallStart('h');
    repo.holdStarted('h', T0 + 1_000, 'you');
    repo.holdStarted('h', T0 + 2_000, { music: 'builtin:jazz' });
    repo.holdEnded('h', T0 + 3_000);
    const holds = repo.get(1).holds;
    expect(holds).toEqual([
      { startedAt: T0 + 1_000, endedAt: T0 + 2_000, heard: 'you', music: null },
      { startedAt: T0 + 2_000, endedAt: T0 + 3_000, heard: 'music', music: 'builtin:jazz' },
    ]);
  });

  it('refuses events for unknown calls and a second start of a live call with typed errors', () => {
    expect(typedError(() => repo.callAnswered('nope', T0)).code).toBe('not-found');
    expect(typedError(() => repo.holdStarted('nope', T0, 'you')).code).toBe('not-found');
    recordCallStart('dup');
    expect(typedError(() => recordCallStart('dup')).code).toBe('invalid-request');
  });

  it('lets the call service reuse an id after the first call ended (counters restart with the app)', () => {
    recordCall(repo, { callId: 'c1', at: T0, number: '100' });
    recordCall(repo, { callId: 'c1', at: T0 + 100_000, number: '200' });
    repo.callStarted({ callId: 'c1', direction: 'outgoing', localLine: 'l', remote: { number: '300' }, at: T0 + 200_000 });
    repo.callAnswered('c1', T0 + 201_000);
    const items = repo.page().items;
    expect(items.map((c) => [c.remote.number, c.answeredAt])).toEqual([
      ['300', T0 + 201_000],
      ['200', T0 + 102_000],
      ['100', T0 + 2_000],
    ]);
  });

  it('ignores a second end of the same call instead of rewriting it', () => {
    recordCall(repo, { callId: 'e', at: T0, outcome: 'answered' });
    repo.callEnded({ callId: 'e', at: T0 + 999_999, outcome: 'failed', endedBy: 'system' });
    expect(repo.page().items[0]).toMatchObject({ outcome: 'answered', endedBy: 'remote' });
  });

  it('commits every event on its own: a refused one leaves the events before it in place', () => {
    recordCallStart('r');
    repo.callAnswered('r', T0 + 1_000);
    expect(typedError(() => repo.transferStep({ callId: 'r', transferId: 't', step: 'exploded' as never, mode: 'blind', target: 'x', at: T0 + 2_000 })).code).toBe(
      'invalid-request',
    );
    expect(typedError(() => repo.callAnswered('unknown-call', T0)).code).toBe('not-found');
    repo.callEnded({ callId: 'r', at: T0 + 3_000, outcome: 'answered', endedBy: 'remote' });
    const [row] = repo.page().items;
    expect(row).toMatchObject({ callId: 'r', answeredAt: T0 + 1_000, endedAt: T0 + 3_000, transferred: false });
  });

  it("stores the services' own words: both directions, every ender, every transfer step and mode", () => {
    const directions = ['incoming', 'outgoing'] as const;
    const enders = ['agent', 'remote', 'system'] as const;
    enders.forEach((endedBy, i) => {
      const callId = `w${i}`;
      repo.callStarted({ callId, direction: directions[i % 2]!, localLine: 'l', remote: { number: `10${i}` }, at: T0 + i });
      repo.callEnded({ callId, at: T0 + 10 + i, outcome: 'failed', endedBy });
    });
    expect(repo.page().items.map((c) => [c.direction, c.endedBy])).toEqual([
      ['incoming', 'system'],
      ['outgoing', 'remote'],
      ['incoming', 'agent'],
    ]);

    recordCallStart('t');
    recordedTransferStepKinds.forEach((step, i) => {
      const mode = transferModes[i % transferModes.length]!;
      repo.transferStep({ callId: 't', transferId: 'x', step, mode, target: 'sip:2000@pbx', at: T0 + i });
    });
    const id = repo.page().items.find((c) => c.callId === 't')!.id;
    const steps = repo.get(id).transfers;
    expect(steps.map((t) => t.step)).toEqual([...recordedTransferStepKinds]);
    expect(new Set(steps.map((t) => t.mode))).toEqual(new Set(transferModes));
    // Every step of the transfer machine's timeline is among them, under its own name.
    for (const step of transferSteps) expect(steps.map((t) => t.step)).toContain(step);
    // The words history used to store are refused now.
    expect(typedError(() => repo.callStarted({ callId: 'old', direction: 'inbound' as never, localLine: 'l', remote: {}, at: T0 })).code).toBe(
      'invalid-request',
    );
    expect(typedError(() => repo.callEnded({ callId: 't', at: T0 + 99, outcome: 'answered', endedBy: 'local' as never })).code).toBe('invalid-request');
  });

  it('still reads converted-to-blind, which earlier versions stored', () => {
    recordCallStart('old');
    const raw = openDatabase(join(tmp.dir, 'history.sqlite3'));
    raw
      .prepare("INSERT INTO transfer_steps (call_id, transfer_id, step, mode, target, at) VALUES (1, 'x', 'converted-to-blind', 'attended', 'sip:2000@pbx', ?)")
      .run(T0 + 5);
    raw.close();
    expect(repo.get(1).transfers).toMatchObject([{ step: 'converted-to-blind', mode: 'attended' }]);
  });

  function recordCallStart(callId: string) {
    repo.callStarted({ callId, direction: 'incoming', localLine: 'sip:1001@pbx', remote: { number: '555' }, at: T0 });
  }
});

describe('calls left open by a crash', () => {
  it('are marked interrupted at their last sign of life when the database is next opened', () => {
    repo.callStarted({ callId: 'live', direction: 'outgoing', localLine: 'l', remote: { number: '+12025550134' }, at: T0 });
    repo.callAnswered('live', T0 + 1_000);
    repo.holdStarted('live', T0 + 5_000, { music: 'builtin:lounge' });
    recordCall(repo, { callId: 'done', at: T0 - 100_000 });
    expect(repo.recoveredCalls).toBe(0);
    repo.close(); // no callEnded: as if the process died

    repo = openRepo(tmp.dir);
    expect(repo.recoveredCalls).toBe(1);
    const [live, done] = repo.page().items;
    expect(live).toMatchObject({ callId: 'live', outcome: 'interrupted', endedBy: 'system', endedAt: T0 + 5_000, durationMs: 4_000 });
    expect(done).toMatchObject({ callId: 'done', outcome: 'answered' });
    expect(repo.get(live!.id).holds[0]).toMatchObject({ endedAt: T0 + 5_000 });
    repo.close();
    repo = openRepo(tmp.dir);
    expect(repo.recoveredCalls).toBe(0);
  });
});

describe('paging newest first', () => {
  beforeEach(() => {
    // 25 calls; calls 10..14 share one start time to exercise the id tie-break.
    for (let i = 0; i < 25; i++) {
      const at = i >= 10 && i < 15 ? T0 + 10 * 60_000 : T0 + i * 60_000;
      recordCall(repo, { callId: `c${i}`, at, number: `+1202555${String(i).padStart(4, '0')}` });
    }
  });

  it('walks every call exactly once with the keyset cursor, in (start, id) descending order', () => {
    const seen: CallSummary[] = [];
    let cursor = null;
    let pages = 0;
    do {
      const page = repo.page({ limit: 7, cursor });
      expect(historyPageSchema.parse(page)).toEqual(page);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen).toHaveLength(25);
    expect(new Set(seen.map((c) => c.id)).size).toBe(25);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      expect(a.startedAt > b.startedAt || (a.startedAt === b.startedAt && a.id > b.id)).toBe(true);
    }
    expect(seen[0]!.callId).toBe('c24');
  });

  it('returns no cursor on the last page and an empty page past the end', () => {
    const all = repo.page({ limit: 200 });
    expect(all.items).toHaveLength(25);
    expect(all.nextCursor).toBeNull();
    const last = all.items.at(-1)!;
    expect(repo.page({ cursor: { startedAt: last.startedAt, id: last.id } }).items).toEqual([]);
  });
});

describe('filters', () => {
  beforeEach(() => {
    recordCall(repo, { callId: 'in-answered', at: T0, direction: 'incoming' });
    recordCall(repo, { callId: 'in-missed', at: T0 + 1_000, direction: 'incoming', outcome: 'missed' });
    recordCall(repo, { callId: 'out-busy', at: T0 + 2_000, direction: 'outgoing', outcome: 'busy', answered: false });
    recordCall(repo, { callId: 'in-transferred', at: T0 + 3_000, direction: 'incoming', transferTo: 'sip:queue-sales@pbx' });
    recordCall(repo, { callId: 'out-answered', at: T0 + 4_000, direction: 'outgoing' });
  });
  const page = (filter: Parameters<HistoryRepository['page']>[0] extends infer Q ? (Q extends { filter?: infer F } ? F : never) : never) =>
    ids(repo.page({ filter }).items);

  it('by direction', () => {
    expect(page({ direction: 'outgoing' })).toEqual(['out-answered', 'out-busy']);
    expect(page({ direction: 'incoming' })).toEqual(['in-transferred', 'in-missed', 'in-answered']);
  });
  it('by outcome (any of several)', () => {
    expect(page({ outcomes: ['missed'] })).toEqual(['in-missed']);
    expect(page({ outcomes: ['busy', 'transferred'] })).toEqual(['in-transferred', 'out-busy']);
  });
  it('by transferred', () => {
    expect(page({ transferred: true })).toEqual(['in-transferred']);
    expect(page({ transferred: false })).toEqual(['out-answered', 'out-busy', 'in-missed', 'in-answered']);
  });
  it('by date range [from, to)', () => {
    expect(page({ from: T0 + 1_000, to: T0 + 3_000 })).toEqual(['out-busy', 'in-missed']);
    expect(page({ from: T0 + 4_000 })).toEqual(['out-answered']);
    expect(page({ to: T0 + 1 })).toEqual(['in-answered']);
  });
  it('combined', () => {
    expect(page({ direction: 'incoming', transferred: false, from: T0 + 500 })).toEqual(['in-missed']);
    expect(page({ direction: 'outgoing', outcomes: ['missed'] })).toEqual([]);
  });
  it('refuses a filter outside the contract with a typed error', () => {
    expect(typedError(() => repo.page({ filter: { from: T0 + 10, to: T0 } })).code).toBe('invalid-request');
    expect(typedError(() => repo.page({ filter: { outcomes: ['exploded' as never] } })).code).toBe('invalid-request');
    expect(typedError(() => repo.page({ filter: { direction: 'inbound' as never } })).code).toBe('invalid-request');
  });
});

describe('search', () => {
  beforeEach(() => {
    recordCall(repo, { callId: 'us', at: T0, number: '+1 (202) 555-0134', name: 'Ada Lovelace' });
    recordCall(repo, { callId: 'uri-only', at: T0 + 1_000, uri: 'sip:+12025550199@pbx.example.com', name: 'José Álvarez' });
    recordCall(repo, { callId: 'uk', at: T0 + 2_000, number: '+44 20 7946 0958', name: 'Grace Hopper', direction: 'outgoing' });
    recordCall(repo, { callId: 'other', at: T0 + 3_000, number: '212-555-0134', name: 'Alan Turing', transferTo: 'sip:2000@pbx' });
  });
  const search = (query: string, filter?: object) => ids(repo.search({ query, filter }).items);

  it('finds +1 (202) 555-0134 from 2025550134, and from any other formatting of its digits', () => {
    expect(search('2025550134')).toEqual(['us']);
    expect(search('+12025550134')).toEqual(['us']);
    expect(search('(202) 555-0134')).toEqual(['us']);
    expect(search('202.555.0134')).toEqual(['us']);
    expect(search('555-0134')).toEqual(['other', 'us']);
    expect(search('0134')).toEqual(['other', 'us']);
  });
  it('matches the end of the number (last digits), not digits in the middle', () => {
    expect(search('202555')).toEqual([]);
    expect(search('555')).toEqual([]);
    expect(search('134')).toEqual(['other', 'us']);
  });
  it('finds a number stored without its country code when the agent types it with one', () => {
    recordCall(repo, { callId: 'national', at: T0 + 9_000, number: '(202) 555-0177' });
    expect(search('+1 202 555 0177')).toEqual(['national']);
    expect(search('0012025550177')).toEqual(['national']);
    // …but a long typed number never matches a short extension that happens to share its last digits.
    recordCall(repo, { callId: 'extension', at: T0 + 9_500, number: '0177' });
    expect(search('+1 202 555 0177')).toEqual(['national']);
    expect(search('0177')).toEqual(['extension', 'national']);
  });
  it('matches a number known only from the SIP URI', () => {
    expect(search('2025550199')).toEqual(['uri-only']);
  });
  it('finds names by any part, ignoring case and accents', () => {
    expect(search('lovelace')).toEqual(['us']);
    expect(search('ALVAREZ')).toEqual(['uri-only']);
    expect(search('jose')).toEqual(['uri-only']);
    expect(search('urin')).toEqual(['other']);
    expect(search('ada lovelace')).toEqual(['us']);
    expect(search('ada hopper')).toEqual([]);
  });
  it('finds note text added later', () => {
    const id = repo.search({ query: 'hopper' }).items[0]!.id;
    repo.addNote(id, 'Wants a callback about invoice #4471');
    repo.addNote(id, 'Second note: escalated to billing');
    expect(search('invoice')).toEqual(['uk']);
    expect(search('escalated billing')).toEqual(['uk']);
    expect(search('invoice escalated')).toEqual(['uk']);
  });
  it('combines with filters', () => {
    expect(search('0134', { direction: 'incoming', transferred: false })).toEqual(['us']);
    expect(search('0134', { transferred: true })).toEqual(['other']);
    expect(search('alan', { transferred: true })).toEqual(['other']);
    expect(search('alan', { transferred: false })).toEqual([]);
    expect(search('hopper', { direction: 'incoming' })).toEqual([]);
  });
  it('pages with the cursor', () => {
    const first = repo.search({ query: '0134', limit: 1 });
    expect(ids(first.items)).toEqual(['other']);
    const second = repo.search({ query: '0134', limit: 1, cursor: first.nextCursor });
    expect(ids(second.items)).toEqual(['us']);
    expect(second.nextCursor).toBeNull();
    const byName = repo.search({ query: 'ace', limit: 1 }); // Grace, Lovelace
    expect(ids(byName.items)).toEqual(['uk']);
    const rest = repo.search({ query: 'ace', limit: 1, cursor: byName.nextCursor });
    expect(ids(rest.items)).toEqual(['us']);
    expect(rest.nextCursor).toBeNull();
  });

  it('takes quotes, %, _, FTS operators and junk literally: results or a typed error, never a SQLite exception', () => {
    const id = repo.search({ query: 'lovelace' }).items[0]!.id;
    repo.addNote(id, 'Discount 50% on plan_b, said "NOT NOW" (twice) - col:val ^start* NEAR/2');
    const hostile = [
      '"',
      '""',
      '"unterminated',
      "'; DROP TABLE calls; --",
      '%',
      '%%%',
      '___',
      '%_%',
      '50%',
      'plan_b',
      '"NOT NOW"',
      'NOT NOW',
      'AND OR NOT',
      'NEAR(ada lovelace, 2)',
      'col:val',
      '^start*',
      'ada*',
      '{digits}: 555',
      '- - -',
      '(((',
      ')))',
      '\u0000\u0001abc',
      '\uD800\uDC00\uD800 lone surrogate',
      '💥💥💥',
      'x'.repeat(200),
      'x'.repeat(201),
      'junk '.repeat(2_048), // 10 kB
      '"'.repeat(10_240),
      '12',
      '   ',
    ];
    const results = new Map<string, string[] | string>();
    for (const q of hostile) {
      try {
        const page = repo.search({ query: q });
        expect(historyPageSchema.parse(page)).toEqual(page);
        results.set(q, ids(page.items));
      } catch (e) {
        expect(e, `query ${JSON.stringify(q.slice(0, 40))}`).toBeInstanceOf(ConsoleError);
        expect(['invalid-request']).toContain((e as ConsoleError).code);
        results.set(q, `error:${(e as ConsoleError).code}`);
      }
    }
    // Taken as literal text, not as wildcards or operators:
    expect(results.get('%')).toBe('error:invalid-request'); // too short to search
    expect(results.get('%%%')).toEqual([]); // not "everything"
    expect(results.get('%_%')).toEqual([]);
    expect(results.get('___')).toEqual([]);
    expect(results.get('50%')).toEqual(['us']);
    expect(results.get('plan_b')).toEqual(['us']);
    expect(results.get('"NOT NOW"')).toEqual(['us']);
    expect(results.get('NOT NOW')).toEqual(['us']);
    expect(results.get('AND OR NOT')).toEqual([]); // 'AND' is a word here, found nowhere
    expect(results.get('col:val')).toEqual(['us']);
    expect(results.get('^start*')).toEqual(['us']);
    expect(results.get("'; DROP TABLE calls; --")).toEqual([]);
    expect(results.get('junk '.repeat(2_048))).toBe('error:invalid-request');
    expect(results.get('12')).toBe('error:invalid-request');
    // …and the database is intact afterwards.
    expect(repo.page().items).toHaveLength(4);
    expect(repo.integrityCheck()).toBe('ok');
  });
});

describe('notes and disposition', () => {
  beforeEach(() => recordCall(repo, { callId: 'n', at: T0 }));

  it('adds notes (trimmed, timestamped, in order) and sets and clears a disposition', () => {
    repo.addNote(1, '  first  ');
    const detail = repo.addNote(1, 'second');
    expect(detail.notes.map((n) => [n.text, n.at])).toEqual([
      ['first', 1_800_000_000_000],
      ['second', 1_800_000_000_000],
    ]);
    expect(detail.call.noteCount).toBe(2);
    expect(repo.setDisposition(1, 'resolved-first-call').call.disposition).toBe('resolved-first-call');
    expect(repo.setDisposition(1, null).call.disposition).toBeNull();
  });

  it('refuses unknown calls and bad values with typed errors', () => {
    expect(typedError(() => repo.addNote(999, 'x')).code).toBe('not-found');
    expect(typedError(() => repo.get(999)).code).toBe('not-found');
    expect(typedError(() => repo.setDisposition(999, 'ok')).code).toBe('not-found');
    expect(typedError(() => repo.addNote(1, '   ')).code).toBe('invalid-request');
    expect(typedError(() => repo.addNote(1, 'x'.repeat(4001))).code).toBe('invalid-request');
    expect(typedError(() => repo.setDisposition(1, '=cmd|calc')).code).toBe('invalid-request');
  });
});

describe('rows leaving the repository', () => {
  it('are parsed by the contract schema: a row damaged on disk becomes a typed storage error, not a bad snapshot', () => {
    recordCall(repo, { callId: 'ok', at: T0 });
    recordCall(repo, { callId: 'bad', at: T0 + 1 });
    const raw = openDatabase(join(tmp.dir, 'history.sqlite3'));
    raw.prepare("UPDATE calls SET started_at = -5 WHERE call_key = 'bad'").run();
    raw.close();
    expect(typedError(() => repo.page()).code).toBe('storage');
    expect(repo.get(1).call.callId).toBe('ok');
  });

  it('after close, every method answers unavailable', () => {
    repo.close();
    expect(typedError(() => repo.page()).code).toBe('unavailable');
    expect(typedError(() => repo.callAnswered('x', 1)).code).toBe('unavailable');
    expect(typedError(() => repo.transferStep({ callId: 'x', transferId: 't', step: 'offered', mode: 'incoming-refer', target: 'x', at: 1 })).code).toBe(
      'unavailable',
    );
    repo = openRepo(tmp.dir);
  });
});

describe('who transferred a call (schema 8)', () => {
  const anna = { number: '2001', uri: 'sip:2001@pbx.example.com', displayName: 'Anna Berg' };
  const arrive = (callId: string, transferredBy: unknown, at = T0) =>
    repo.callStarted({
      callId,
      direction: 'incoming',
      localLine: 'sip:1001@pbx.example.com',
      remote: { number: '+1 (202) 555-0134', uri: 'sip:+12025550134@pbx.example.com', displayName: 'Ada Lovelace' },
      transferredBy: transferredBy as { displayName?: string | null },
      at,
    });
  const stored = (callId: string) => repo.page().items.find((c) => c.callId === callId);

  it('round-trips through the list, the detail and a search, and only calls that arrived by transfer carry it', () => {
    arrive('via-anna', anna);
    repo.callAnswered('via-anna', T0 + 2_000);
    repo.callEnded({ callId: 'via-anna', at: T0 + 60_000, outcome: 'answered', endedBy: 'remote' });
    arrive('by-uri-only', { uri: 'sip:bob@pbx.example.com' }, T0 + 100_000);
    arrive('by-number-only', { number: '2002', uri: null, displayName: null }, T0 + 200_000);
    recordCall(repo, { callId: 'plain', at: T0 + 300_000, number: '2003' });
    recordCall(repo, { callId: 'out', at: T0 + 400_000, direction: 'outgoing', number: '2004' });

    expect(stored('via-anna')?.transferredBy).toEqual(anna);
    expect(repo.get(stored('via-anna')!.id).call.transferredBy).toEqual(anna);
    expect(stored('by-uri-only')?.transferredBy).toEqual({ number: null, uri: 'sip:bob@pbx.example.com', displayName: null });
    expect(stored('by-number-only')?.transferredBy).toEqual({ number: '2002', uri: null, displayName: null });
    for (const id of ['plain', 'out']) expect('transferredBy' in stored(id)!).toBe(false);
    expect(historyPageSchema.parse(repo.page())).toEqual(repo.page());
    expect(ids(repo.search({ query: 'anna berg' }).items)).toEqual(['via-anna']);
    expect(ids(repo.search({ query: 'bob@pbx' }).items)).toEqual(['by-uri-only']);
    // The caller is still found by their own name and number.
    expect(ids(repo.search({ query: 'lovelace' }).items)).toEqual(['by-number-only', 'by-uri-only', 'via-anna']);
  });

  it('keeps the call whatever the transferrer holds: injected header lines, control characters and huge values are cleaned, cut or left out', () => {
    const hostile: Array<[string, unknown, unknown]> = [
      ['crlf', { displayName: 'Anna Berg\r\nX-Injected: yes\r\n', uri: 'sip:2001@pbx\r\nVia: evil' }, { number: null, uri: null, displayName: 'Anna Berg X-Injected: yes' }],
      ['controls', { displayName: '\u0000An\u0007na\u001b[31m\u0085Berg\u2028', number: '20\u000001' }, { number: '20 01', uri: null, displayName: 'An na [31m Berg' }],
      ['huge', { displayName: 'A'.repeat(1_000_000), number: '9'.repeat(10_000), uri: `sip:${'x'.repeat(5_000)}@pbx` }, { number: `${'9'.repeat(255)}…`, uri: null, displayName: `${'A'.repeat(127)}…` }],
      ['astral', { displayName: `${'x'.repeat(126)}😀😀` }, { number: null, uri: null, displayName: `${'x'.repeat(126)}…` }],
      ['formula', { displayName: '=HYPERLINK("http://evil")', uri: 'sip:2001@pbx.example.com' }, { number: null, uri: 'sip:2001@pbx.example.com', displayName: '=HYPERLINK("http://evil")' }],
      ['markup', { displayName: '<img src=x onerror=alert(1)>' }, { number: null, uri: null, displayName: '<img src=x onerror=alert(1)>' }],
      ['blank', { displayName: '  \r\n ', number: '', uri: ' ' }, undefined],
      ['not text', { displayName: 42, number: { toString: () => 'x' }, uri: ['sip:a@b'] }, undefined],
      ['null', null, undefined],
    ];
    hostile.forEach(([callId, given], i) => arrive(callId, given, T0 + i * 1_000));
    for (const [callId, , expected] of hostile) {
      const row = stored(callId);
      expect(row, callId).toBeDefined(); // the call's row is never lost
      expect(row!.transferredBy, callId).toEqual(expected);
      expect(row!.remote.displayName).toBe('Ada Lovelace');
    }
    expect(repo.page().items).toHaveLength(hostile.length);
    expect(repo.integrityCheck()).toBe('ok');
  });
});
