/**
 * Streaming a query's rows to a CSV file: a read-only connection of its own
 * (a WAL snapshot, so recording continues meanwhile), `iterate()` row by row,
 * writes in 64 kB chunks that wait for 'drain' when the file stream is full —
 * memory stays flat whatever the row count. Written to `.partial` and renamed
 * when complete, so a half-written export never looks finished, and removed
 * when anything fails (a full disk included). The file name is chosen here in
 * main (under the export folder), never by the renderer.
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ConsoleError, type CallSummary, type HistoryExportProgress, type HistoryExportWritten } from '../../preload/contract';
import type { Logger } from '../logging/logger';
import { csvRow } from './csv';
import { openDatabase, type SqliteDatabase } from './database';
import { toSummary, type CallRow } from './rows';

/**
 * The CSV columns of an export, in order. Columns added later go at the end,
 * so a sheet that reads an older export's columns by position still works.
 */
export const exportColumns = [
  'id',
  'call_id',
  'direction',
  'local_line',
  'remote_number',
  'remote_name',
  'remote_uri',
  'queue',
  'started_at',
  'answered_at',
  'ended_at',
  'duration_s',
  'outcome',
  'sip_code',
  'sip_reason',
  'ended_by',
  'transferred',
  'disposition',
  'notes',
  // Who transferred an incoming call to the agent (schema 8), as the call card named them.
  'transferred_by_name',
  'transferred_by_number',
  'transferred_by_uri',
] as const;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function exportCells(s: CallSummary, notes: string | null) {
  return [
    s.id,
    s.callId,
    s.direction,
    s.localLine,
    s.remote.number,
    s.remote.displayName,
    s.remote.uri,
    s.queue,
    iso(s.startedAt),
    iso(s.answeredAt),
    iso(s.endedAt),
    s.durationMs === null ? null : Math.round(s.durationMs / 1000),
    s.outcome,
    s.sipCode,
    s.sipReason,
    s.endedBy,
    s.transferred ? 'yes' : 'no',
    s.disposition,
    notes,
    s.transferredBy?.displayName ?? null,
    s.transferredBy?.number ?? null,
    s.transferredBy?.uri ?? null,
  ];
}

export interface ExportJob {
  dbPath: string;
  exportDir: string;
  /** SELECT of the summary columns plus `notes_text`, in export order. */
  sql: string;
  params: Record<string, unknown>;
  now: () => number;
  log: Logger;
  /** The file to write (chosen by the agent in main's save dialog); default a new name in `exportDir`. */
  path?: string;
  /** Rows written of the total, after the count and then every `progressEvery` rows (and at the end). */
  onProgress?: (progress: HistoryExportProgress) => void;
}

/** Rows between progress reports; each report also lets main's event loop run (pushes go out, IPC is answered). */
export const progressEvery = 5_000;

export async function writeCsvExport(o: ExportJob): Promise<HistoryExportWritten> {
  let reader: SqliteDatabase | undefined;
  let out: WriteStream | undefined;
  let partial: string | undefined; // set once the file is ours to remove
  let rows = 0;
  try {
    let path: string;
    if (o.path !== undefined) {
      // The agent chose this file in the save dialog (and confirmed replacing it): the finished export replaces it.
      path = o.path;
    } else {
      mkdirSync(o.exportDir, { recursive: true });
      const stamp = new Date(o.now()).toISOString().replace(/[:.]/g, '-');
      path = join(o.exportDir, `history-${stamp}.csv`);
      for (let n = 2; existsSync(path) || existsSync(`${path}.partial`); n++) path = join(o.exportDir, `history-${stamp}-${n}.csv`);
    }
    out = createWriteStream(`${path}.partial`, { flags: 'wx' }); // 'wx': never overwrite a file we did not create
    // A write the disk refuses (ENOSPC) fails after write() returned, while the loop may be between awaits:
    // kept here and thrown at the next check, never an 'error' event with no listener (that would end main).
    let failure: Error | null = null;
    out.on('error', (e) => (failure ??= e));
    const check = () => {
      if (failure) throw failure;
    };
    await once(out, 'open');
    partial = `${path}.partial`;
    reader = openDatabase(o.dbPath, { readonly: true });
    // One read transaction for the count and the rows, so the total is the number of rows written.
    reader.exec('BEGIN');
    const total = o.onProgress ? ((reader.prepare(`SELECT count(*) FROM (${o.sql})`).pluck().get(o.params) as number) ?? 0) : 0;
    o.onProgress?.({ rows: 0, total });
    const rowsOf = reader.prepare(o.sql).iterate(o.params) as IterableIterator<CallRow & { notes_text: string | null }>;
    let chunk = csvRow(exportColumns);
    for (const row of rowsOf) {
      chunk += csvRow(exportCells(toSummary(row), row.notes_text));
      rows++;
      if (chunk.length >= 64 * 1024) {
        check();
        const more = out.write(chunk);
        chunk = '';
        if (!more) await once(out, 'drain');
      }
      if (o.onProgress && rows % progressEvery === 0) {
        o.onProgress({ rows, total: Math.max(total, rows) });
        await yieldToLoop();
        check();
      }
    }
    reader.exec('COMMIT');
    check();
    out.end(chunk);
    await once(out, 'finish');
    check();
    renameSync(partial, path);
    o.onProgress?.({ rows, total: Math.max(total, rows) });
    return { path, rows };
  } catch (e) {
    out?.destroy();
    if (partial) rmSync(partial, { force: true });
    if (e instanceof ConsoleError) throw e;
    o.log.error('history: export failed', { error: String(e) });
    throw new ConsoleError('storage', `The export could not be written: ${(e as Error).message}`);
  } finally {
    reader?.close();
  }
}
