/**
 * Call history as the UI sees it: a page of call summaries (newest first,
 * keyset cursor), a search, one call in detail (transfer timeline, hold
 * periods, notes), note/disposition edits and a CSV export. Every row the
 * history repository hands out is parsed by these schemas first.
 */
import { z } from 'zod';
import { epochMs, event, noInput, request, text } from './define';
import { transferSteps } from './transfer';

/*
 * History stores the words the call and transfer services use (calls.ts,
 * transfer.ts), never a translation of them: a value read back from disk
 * means what it meant when the service said it.
 */

export const callDirections = ['incoming', 'outgoing'] as const;
export type CallDirection = (typeof callDirections)[number];

/**
 * How a call ended. Decided by the call service (it knows why), never
 * re-derived by history. `interrupted`: the console stopped (crash, power
 * loss) while the call was up; set when the database is next opened.
 */
export const callOutcomes = [
  'answered',
  'missed', // incoming, caller gave up or nobody answered
  'declined', // incoming, the agent declined
  'busy', // outgoing, 486/600
  'no-answer', // outgoing, 408/480 or our own timeout
  'cancelled', // outgoing, the agent hung up before an answer
  'failed', // any other final failure (4xx/5xx/6xx, media host gone)
  'transferred', // ended by a completed transfer
  'interrupted',
] as const;
export type CallOutcome = (typeof callOutcomes)[number];

/** Who ended the call, as the call service says it: the agent, the far end, or the console itself. */
export const endedByValues = ['agent', 'remote', 'system'] as const;
export type EndedBy = (typeof endedByValues)[number];

/** What the caller heard while held (mirrors the call snapshot's `holdAudio`). */
export const holdHeardValues = ['you', 'silence', 'music'] as const;
export type HoldHeard = (typeof holdHeardValues)[number];

/**
 * The transfer's mode as the transfer service knows it, plus `safe-blind`
 * (blind with the caller kept on hold until the transferee answers). The
 * incoming-* modes: the far end transfers this call; transferred-in: this call
 * reached us by a transfer.
 */
export const transferModes = ['blind', 'safe-blind', 'attended', 'incoming-refer', 'incoming-replaces', 'transferred-in'] as const;
export type TransferMode = (typeof transferModes)[number];

/**
 * The steps a recorder may write: every step of the transfer machine's
 * timeline under its own name (`released` and `new-call` since schema 7), plus the two the transfer executor adds from
 * SIP (`refer-sent`: our REFER went out; `accepted`: the far end answered it
 * with 202).
 */
export const recordedTransferStepKinds = [...transferSteps, 'refer-sent', 'accepted'] as const;
export type RecordedTransferStepKind = (typeof recordedTransferStepKinds)[number];

/**
 * The steps history can read back: the above, and `converted-to-blind`, which
 * earlier versions wrote and which stays in files they left behind.
 */
export const transferStepKinds = [...recordedTransferStepKinds, 'converted-to-blind'] as const;
export type TransferStepKind = (typeof transferStepKinds)[number];

const sipCode = z.number().int().min(100).max(699);
/** Disposition codes are configured per contact center; keep them short, printable identifiers. */
export const dispositionCode = z
  .string()
  .trim()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.\-/]{0,63}$/u, 'A disposition code is 1–64 letters, digits, spaces or _ . - /');

export const remotePartySchema = z.strictObject({
  /** As signalled (formatting kept); null when only a URI is known. */
  number: z.string().nullable(),
  uri: z.string().nullable(),
  displayName: z.string().nullable(),
});
export type RemoteParty = z.infer<typeof remotePartySchema>;

/**
 * How long what history keeps of a transferrer may be (migrations/0008 checks
 * the same bounds): a display name as the line bounds it, a SIP user part, a
 * SIP URI. Longer values are cut (name, number) or left out (URI) before they
 * are written, never refused with the call.
 */
export const transferrerBounds = { displayName: 128, number: 256, uri: 1024 } as const;

/**
 * Who transferred an incoming call to the agent, as the call snapshot named
 * them when it arrived (Referred-By, or the party of the call it replaced):
 * at least one of the three is known.
 */
export const transferrerSchema = z
  .strictObject({
    number: z.string().min(1).max(transferrerBounds.number).nullable(),
    uri: z.string().min(1).max(transferrerBounds.uri).nullable(),
    displayName: z.string().min(1).max(transferrerBounds.displayName).nullable(),
  })
  .refine((p) => p.number !== null || p.uri !== null || p.displayName !== null, { message: 'A transferrer names someone' });
export type Transferrer = z.infer<typeof transferrerSchema>;

export const callSummarySchema = z.strictObject({
  /** History's own id (stable, increasing in the order calls started). */
  id: z.number().int().positive(),
  /** The call service's id for the call. */
  callId: z.string(),
  direction: z.enum(callDirections),
  localLine: z.string(),
  remote: remotePartySchema,
  queue: z.string().nullable(),
  startedAt: epochMs,
  ringingAt: epochMs.nullable(),
  answeredAt: epochMs.nullable(),
  endedAt: epochMs.nullable(),
  /** Talk time (answer → end); null when never answered or still up. */
  durationMs: z.number().int().nonnegative().nullable(),
  /** null while the call is still up. */
  outcome: z.enum(callOutcomes).nullable(),
  sipCode: sipCode.nullable(),
  sipReason: z.string().nullable(),
  endedBy: z.enum(endedByValues).nullable(),
  transferred: z.boolean(),
  /**
   * Where the call went: the target of its completed transfer, else of its
   * latest transfer step; null when no transfer was tried.
   */
  transferTarget: z.string().nullable(),
  /** At least one hold period. */
  held: z.boolean(),
  disposition: z.string().nullable(),
  noteCount: z.number().int().nonnegative(),
  /**
   * Present only on an incoming call that arrived by transfer: who transferred
   * the caller to the agent (kept since schema 8; older calls never have it).
   */
  transferredBy: transferrerSchema.optional(),
});
export type CallSummary = z.infer<typeof callSummarySchema>;

export const transferStepSchema = z.strictObject({
  transferId: z.string(),
  step: z.enum(transferStepKinds),
  mode: z.enum(transferModes),
  target: z.string(),
  sipCode: sipCode.nullable(),
  detail: z.string().nullable(),
  at: epochMs,
});
export type TransferStep = z.infer<typeof transferStepSchema>;

export const holdPeriodSchema = z.strictObject({
  startedAt: epochMs,
  endedAt: epochMs.nullable(),
  heard: z.enum(holdHeardValues),
  /** The track's name when `heard` is music. */
  music: z.string().nullable(),
});
export type HoldPeriod = z.infer<typeof holdPeriodSchema>;

export const callNoteSchema = z.strictObject({
  id: z.number().int().positive(),
  text: z.string(),
  at: epochMs,
});
export type CallNote = z.infer<typeof callNoteSchema>;

export const callDetailSchema = z.strictObject({
  call: callSummarySchema,
  transfers: z.array(transferStepSchema),
  holds: z.array(holdPeriodSchema),
  notes: z.array(callNoteSchema),
});
export type CallDetail = z.infer<typeof callDetailSchema>;

/** Filters combine with AND; `from`/`to` bound the start time, [from, to). */
export const historyFilterSchema = z
  .strictObject({
    direction: z.enum(callDirections).optional(),
    outcomes: z.array(z.enum(callOutcomes)).min(1).max(callOutcomes.length).optional(),
    /** true: calls with at least one transfer step; false: calls without. */
    transferred: z.boolean().optional(),
    from: epochMs.optional(),
    to: epochMs.optional(),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, {
    message: '`from` must not be after `to`',
    path: ['from'],
  });
export type HistoryFilter = z.input<typeof historyFilterSchema>;

/** Where the previous page stopped: the last row's start time and id. */
export const historyCursorSchema = z.strictObject({ startedAt: epochMs, id: z.number().int().positive() });
export type HistoryCursor = z.infer<typeof historyCursorSchema>;

export const historyPageRequestSchema = z.strictObject({
  filter: historyFilterSchema.optional(),
  cursor: historyCursorSchema.nullable().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type HistoryPageRequest = z.input<typeof historyPageRequestSchema>;

/** Longest search the box accepts; longer input is refused with a typed error, not truncated. */
export const searchQueryMaxLength = 200;

export const historySearchRequestSchema = z.strictObject({
  /**
   * A number in any formatting (`+1 (202) 555-0134`, `2025550134`,
   * `555-0134`) matches on digits only: calls whose number ends with those
   * digits (at least 3), or whose whole number (7+ digits) ends what was
   * typed (a country code the call did not carry). Anything else matches
   * name, address and note text word by word (each word at least 3
   * characters, taken literally: no wildcards or operators); name and
   * address are the caller's and, for a call that arrived by transfer, the
   * transferrer's.
   */
  query: text(searchQueryMaxLength),
  filter: historyFilterSchema.optional(),
  cursor: historyCursorSchema.nullable().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type HistorySearchRequest = z.input<typeof historySearchRequestSchema>;

export const historyPageSchema = z.strictObject({
  items: z.array(callSummarySchema),
  /** Pass back as `cursor` for the next page; null at the end. */
  nextCursor: historyCursorSchema.nullable(),
});
export type HistoryPage = z.infer<typeof historyPageSchema>;

export const callRefSchema = z.number().int().positive();

export const historyNoteRequestSchema = z.strictObject({ id: callRefSchema, text: text(4000) });
export const historyDispositionRequestSchema = z.strictObject({
  id: callRefSchema,
  /** null clears it. */
  code: dispositionCode.nullable(),
});

/**
 * Export writes a CSV file chosen by main, never by the renderer: for now
 * `<dataDir>/exports/history-<time>.csv` (a save dialog in main/desktop can
 * later move it). The UI gets the written path and the row count.
 */
export const historyExportRequestSchema = z.strictObject({
  filter: historyFilterSchema.optional(),
  query: text(searchQueryMaxLength).optional(),
});
/** Written: where and how many rows. Cancelled: the agent closed the save dialog (Electron), nothing written. */
export const historyExportWrittenSchema = z.strictObject({ path: z.string(), rows: z.number().int().nonnegative() });
export type HistoryExportWritten = z.infer<typeof historyExportWrittenSchema>;
export const historyExportResultSchema = z.union([historyExportWrittenSchema, z.strictObject({ cancelled: z.literal(true) })]);
export type HistoryExportResult = z.infer<typeof historyExportResultSchema>;

/** How far a running export is: rows written so far of `total` (counted before the first row). */
export const historyExportProgressSchema = z.strictObject({
  rows: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type HistoryExportProgress = z.infer<typeof historyExportProgressSchema>;

/**
 * Missed calls the agent has not seen yet. "Seen" is a mark kept in the
 * history file (migrations/0005): every missed call with an id at or below
 * `seenThrough` counts as seen, so a reload or a restart keeps it.
 */
export const missedCallsSchema = z.strictObject({
  unseen: z.number().int().nonnegative(),
  seenThrough: z.number().int().nonnegative(),
});
export type MissedCalls = z.infer<typeof missedCallsSchema>;

/** Marks missed calls seen up to `throughId` (the newest the agent was shown); without it, every call so far. */
export const historyMarkSeenRequestSchema = z.strictObject({ throughId: z.number().int().nonnegative().optional() });

/**
 * Pushed after the recorder wrote a call's start or end (coalesced): the UI
 * refreshes the badge and, when it shows the newest calls, the top of the list.
 */
export const historyChangedSchema = z.strictObject({
  missed: missedCallsSchema,
  /** The newest call's id (0 when there is none). */
  latestId: z.number().int().nonnegative(),
});
export type HistoryChanged = z.infer<typeof historyChangedSchema>;

/**
 * Why calls are not being written to the history right now. `disk-full`,
 * `read-only` (the file or its folder cannot be written), `damaged` (SQLite
 * found the file inconsistent), `io-error` (the disk reports errors), `busy`
 * (another program holds the file), `cannot-open`, `too-new` (written by a
 * newer console: left untouched), `unknown`.
 */
export const recordingProblems = ['disk-full', 'read-only', 'damaged', 'io-error', 'busy', 'cannot-open', 'too-new', 'unknown'] as const;
export type RecordingProblem = (typeof recordingProblems)[number];

const count = z.number().int().nonnegative();
const filePath = z.string().max(4096);

/**
 * Whether calls are being recorded. While `waiting`, every call event is
 * kept in memory in order (at most `capacity` events) and written once the
 * storage takes writes again; `lost` counts what did not fit. Pushed on every
 * change (`history:recording-changed`) and read with `history:recording`.
 */
export const recordingStatusSchema = z.strictObject({
  state: z.enum(['recording', 'waiting']),
  /** Why it waits (null while recording). */
  problem: z.enum(recordingProblems).nullable(),
  /** Main's words for the problem (logs, the tray); the UI says it in the agent's language from `problem`. */
  message: z.string().max(16_384).nullable(),
  /** The history file and its folder: what the agent names to whoever fixes it. */
  file: filePath,
  folder: filePath,
  /** When recording stopped (null while recording). */
  since: epochMs.nullable(),
  /** Events kept in memory, and how many calls they belong to. */
  waitingEvents: count,
  waitingCalls: count,
  capacity: count,
  /** Events (and their calls) dropped because the memory bound was reached, since the console started. */
  lost: z.strictObject({ events: count, calls: count }),
  /** The last time kept events were written after a pause: how many calls and events, and when. */
  writtenBack: z.strictObject({ calls: count, events: count, at: epochMs }).nullable(),
  /** Where the last damaged history file was kept (never deleted); null when none was. */
  setAside: filePath.nullable(),
});
export type RecordingStatus = z.infer<typeof recordingStatusSchema>;

export const history = {
  page: request('history:page', historyPageRequestSchema, historyPageSchema),
  search: request('history:search', historySearchRequestSchema, historyPageSchema),
  get: request('history:get', callRefSchema, callDetailSchema),
  note: request('history:note', historyNoteRequestSchema, callDetailSchema),
  disposition: request('history:disposition', historyDispositionRequestSchema, callDetailSchema),
  export: request('history:export', historyExportRequestSchema, historyExportResultSchema),
  missed: request('history:missed', noInput, missedCallsSchema),
  markSeen: request('history:mark-seen', historyMarkSeenRequestSchema, missedCallsSchema),
  changed: event('history:changed', historyChangedSchema),
  exportProgress: event('history:export-progress', historyExportProgressSchema),
  recording: request('history:recording', noInput, recordingStatusSchema),
  recordingChanged: event('history:recording-changed', recordingStatusSchema),
} as const;
