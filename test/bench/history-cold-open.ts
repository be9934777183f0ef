/**
 * One open of the call history as the console does at start, in a process of
 * its own (run by history.bench.ts, which decides whether the file is in the
 * OS page cache first): load the history module, open the file (version
 * check, WAL, crash recovery), read the first page of 50. Prints one JSON
 * line: the times, and the bytes this process read from disk meanwhile
 * (/proc/self/io `read_bytes`, which counts only what missed the page cache).
 *
 *   node --import tsx test/bench/history-cold-open.ts <history.sqlite3>
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const path = process.argv[2];
if (!path) throw new Error('usage: history-cold-open.ts <history.sqlite3>');

const diskReads = (): number => Number(/^read_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? NaN);

const t0 = performance.now();
const { HistoryRepository } = await import('../../main/history/repository');
const t1 = performance.now();
const before = diskReads();
const t2 = performance.now();
const repo = new HistoryRepository(path);
const t3 = performance.now();
const page = repo.page({ limit: 50 });
const t4 = performance.now();
const readBytes = diskReads() - before;
repo.close();
if (page.items.length !== 50) throw new Error(`first page has ${page.items.length} rows, not 50`);
console.log(JSON.stringify({ importMs: t1 - t0, openMs: t3 - t2, pageMs: t4 - t3, readBytes }));
