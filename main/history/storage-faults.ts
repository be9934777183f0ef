/**
 * What went wrong with the history's storage, in the few kinds an agent can
 * act on: the disk is full, the file or folder cannot be written, the file is
 * damaged, the disk reports errors, another program holds the file, the file
 * cannot be opened, or it comes from a newer console. SQLite's result codes
 * (https://www.sqlite.org/rescode.html) and Node's errno codes both map here.
 *
 * Only storage faults are retried and kept for later: anything else a write
 * throws (an unknown call, a refused value) is a fault of the event, not of
 * the disk, and waiting would not help.
 */
import { accessSync, closeSync, constants, existsSync, openSync, statfsSync } from 'node:fs';
import { ConsoleError } from '../../preload/contract';
import type { RecordingProblem } from '../../preload/contract/history';

export type StorageFault = Exclude<RecordingProblem, 'too-new'>;

/** A history operation failed because of the storage; `fault` says which kind, `sqliteCode` what SQLite said. */
export class HistoryStorageError extends ConsoleError {
  constructor(
    readonly fault: StorageFault,
    message: string,
    readonly sqliteCode: string | null = null,
  ) {
    super('storage', message);
    this.name = 'HistoryStorageError';
  }
}

const byErrno: Record<string, StorageFault> = {
  ENOSPC: 'disk-full',
  EDQUOT: 'disk-full',
  EROFS: 'read-only',
  EACCES: 'read-only',
  EPERM: 'read-only',
  EIO: 'io-error',
  ENXIO: 'io-error',
  EBUSY: 'busy',
  ENOENT: 'cannot-open',
  ENOTDIR: 'cannot-open',
  EEXIST: 'cannot-open', // a file where the folder should be
  EISDIR: 'cannot-open',
  EMFILE: 'cannot-open',
  ENFILE: 'cannot-open',
};

/** The storage fault behind `error`, or null when it is not one (a refused value, an unknown call). */
export function storageFaultOf(error: unknown): StorageFault | null {
  if (error instanceof HistoryStorageError) return error.fault;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code.startsWith('SQLITE_')) {
    // Extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED…) refine a primary code.
    if (code === 'SQLITE_READONLY_DBMOVED') return 'cannot-open';
    if (code.startsWith('SQLITE_FULL')) return 'disk-full';
    if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM')) return 'read-only';
    if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) return 'damaged';
    if (code.startsWith('SQLITE_IOERR')) return 'io-error';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
    if (code.startsWith('SQLITE_CANTOPEN')) return 'cannot-open';
    return null;
  }
  return byErrno[code] ?? null;
}

/** The SQLite or errno code of `error`, for logs and messages. */
export function codeOf(error: unknown): string | null {
  if (error instanceof HistoryStorageError) return error.sqliteCode;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/**
 * SQLite says "disk I/O error" or "unable to open database file" whatever the
 * disk said underneath: a file made immutable, a folder on a read-only mount,
 * a network share that turned read-only and a full quota all arrive as
 * SQLITE_IOERR_* or SQLITE_CANTOPEN. Asking the file system directly tells the
 * agent the real reason: a file or folder that cannot be written is
 * read-only, a disk with no free block is full.
 */
export function diagnose(fault: StorageFault, file: string, folder: string): StorageFault {
  if (fault !== 'io-error' && fault !== 'cannot-open' && fault !== 'unknown') return fault;
  if (readOnly(file, folder)) return 'read-only';
  try {
    const fs = statfsSync(folder);
    if (fs.bavail === 0) return 'disk-full';
  } catch {
    // No answer from the file system either: an I/O error it is.
  }
  return fault;
}

/**
 * Whether the file (or, while there is none, its folder) cannot be written.
 * SQLite opens a file it may not write read-only without a word, and finds
 * out only at the first write; this asks first. access() answers for the
 * mount and the permission bits, opening for writing also for an immutable
 * file or a read-only view bound over it.
 */
export function readOnly(file: string, folder: string): boolean {
  const refused = (path: string, open: boolean) => {
    try {
      accessSync(path, constants.W_OK);
      if (open) closeSync(openSync(path, 'r+'));
      return false;
    } catch (e) {
      return storageFaultOf(e) === 'read-only';
    }
  };
  return (existsSync(file) && refused(file, true)) || (existsSync(folder) && refused(folder, false));
}

/**
 * What the agent is told in main's words (logs, notices, typed errors); the
 * UI shows its own translated sentence for each kind.
 */
export function faultSentence(fault: StorageFault | 'too-new', file: string, folder: string): string {
  switch (fault) {
    case 'disk-full':
      return `the disk that holds ${folder} is full. Free some space there`;
    case 'read-only':
      return `${file} or its folder cannot be written. Give your user account write access to ${folder}`;
    case 'damaged':
      return `${file} is damaged`;
    case 'io-error':
      return `the disk that holds ${folder} reports read or write errors. Check the disk or network drive`;
    case 'busy':
      return `another program holds ${file}. Close it (a second console, a backup or database tool)`;
    case 'cannot-open':
      return `${file} cannot be opened. Check that ${folder} exists and your user account may write there`;
    case 'too-new':
      return `${file} was written by a newer version of the console. Update the console`;
    case 'unknown':
      return `${file} cannot be written`;
  }
}

/** For a typed error: a storage failure of a read or write, with what to do. */
export function storageError(fault: StorageFault, what: string, file: string, folder: string, code: string | null): HistoryStorageError {
  const because = fault === 'damaged' ? `the history file ${file} is damaged` : faultSentence(fault, file, folder);
  return new HistoryStorageError(fault, `Could not ${what}: ${because}${code ? ` (${code})` : ''}.`, code);
}
