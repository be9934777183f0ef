/**
 * Call history at a million calls: `npx tsx test/bench/index.ts history`
 * (BENCH_HISTORY_CALLS=100000 for a quicker run). Generates the calls in one
 * transaction with prepared statements (the FTS triggers index them as they
 * go), then measures what the agent feels:
 *   - search p95 (numbers in other formatting, partial numbers, names, note words) ≤ 10 ms
 *   - first history page on a cold open ≤ 100 ms: a fresh process opens the file (version check,
 *     WAL, crash recovery) and reads the first page, after the file was dropped from the OS page
 *     cache (./history-cold-open.ts); the same with the file cached, interleaved, for comparison
 *   - recording 10,000 call events the way the console writes them, one transaction per event,
 *     through the app's recorder chain and straight into the repository in alternating blocks,
 *     counted from the rows written ≥ 20,000 events/s (wall clock and per CPU-second)
 *   - CSV export of every row, with peak RSS sampled while it streams
 * The database lives in a temp folder that is removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../main/history/database';
import { reverseDigits } from '../../main/history/migrations/0003-number-suffix';
import { HistoryRepository } from '../../main/history/repository';
import { tidySearchIndex } from '../../main/history/retention';
import { startHistory } from '../../main/history';
import { historyRecorder } from '../../main/calls/call/history';
import { silentLogger } from '../../main/logging/logger';
import { seededRandom } from '../support/random';

const CALLS = Number(process.env.BENCH_HISTORY_CALLS ?? 1_000_000);
const T0 = Date.UTC(2025, 0, 1);
const SPAN = 2 * 365 * 24 * 3600 * 1000; // two years of calls

const first = ['Ada', 'Grace', 'Alan', 'Linus', 'Barbara', 'Edsger', 'Donald', 'Margaret', 'Ken', 'Dennis', 'Radia', 'Frances', 'John', 'Mary', 'José', 'Zoë', 'Ming', 'Aisha', 'Olu', 'Priya'];
const last = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Liskov', 'Dijkstra', 'Knuth', 'Hamilton', 'Thompson', 'Ritchie', 'Perlman', 'Allen', 'Backus', 'Shaw', 'Álvarez', 'Nguyen', 'Okafor', 'Sharma', 'Kowalski', 'Müller', 'Smith', 'García', 'Johansson', 'Rossi', 'Tanaka'];
const noteWords = ['refund', 'invoice', 'escalated', 'callback', 'password', 'delivery', 'cancellation', 'upgrade', 'complaint', 'warranty'];
const outcomes = ['answered', 'answered', 'answered', 'answered', 'missed', 'declined', 'busy', 'no-answer', 'cancelled', 'failed', 'transferred'] as const;

function formatNumber(digits: string, style: number): string {
  const [a, b, c] = [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)];
  return style === 0 ? `+1${digits}` : style === 1 ? `+1 (${a}) ${b}-${c}` : `${a}-${b}-${c}`;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const ms = (x: number) => `${x.toFixed(2)} ms`;
const mb = (x: number) => `${(x / 1024 / 1024).toFixed(0)} MB`;
const kb = (x: number) => (x < 1024 * 1024 ? `${(x / 1024).toFixed(0)} KB` : `${(x / 1024 / 1024).toFixed(1)} MB`);

interface OpenSample {
  importMs: number;
  openMs: number;
  pageMs: number;
  readBytes: number;
}

/** Pages of `file` in the OS page cache (util-linux fincore), or NaN when it cannot tell. */
function cachedPages(file: string): number {
  const r = spawnSync('fincore', ['--raw', '--noheadings', '--output', 'PAGES', file], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : NaN;
}

/**
 * Drops the database (and its WAL / shared-memory files) from the OS page cache: written back
 * first (sync), then posix_fadvise(POSIX_FADV_DONTNEED) over the whole file, which GNU dd issues
 * for `iflag=nocache count=0`. Only these files: `echo 1 > /proc/sys/vm/drop_caches` works here
 * too as root, but empties the cache of everything else running on the machine. Returns how it
 * went, checked with fincore.
 */
function dropFromPageCache(path: string): string {
  const files = [path, `${path}-wal`, `${path}-shm`].filter((f) => existsSync(f));
  spawnSync('sync', files);
  const before = files.reduce((n, f) => n + cachedPages(f), 0);
  for (const f of files) {
    const r = spawnSync('dd', [`if=${f}`, 'iflag=nocache', 'count=0', 'status=none']);
    if (r.status !== 0) throw new Error(`dd iflag=nocache failed on ${f}: ${r.stderr.toString()}`);
  }
  const after = files.reduce((n, f) => n + cachedPages(f), 0);
  return `posix_fadvise DONTNEED: ${before} → ${after} cached pages`;
}

/** Reads the database file once, so its pages are in the OS cache again. */
function warmPageCache(path: string): void {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(4 * 1024 * 1024);
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

/** `rounds` cold and `rounds` warm opens, each in a new process, interleaved. */
function coldOpens(path: string, rounds: number): { cold: OpenSample[]; warm: OpenSample[]; dropped: string } {
  const child = join(import.meta.dirname, 'history-cold-open.ts');
  const once = (): OpenSample => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', child, path], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cold open failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as OpenSample;
  };
  const cold: OpenSample[] = [];
  const warm: OpenSample[] = [];
  let dropped = '';
  for (let i = 0; i < rounds * 2; i++) {
    if (i % 2 === 0) {
      dropped = dropFromPageCache(path);
      cold.push(once());
    } else {
      warm.push(once());
    }
  }
  return { cold, warm, dropped };
}

function generate(path: string, random: () => number): { numbers: string[]; generateMs: number } {
  const db = openDatabase(path);
  const numbers: string[] = [];
  const t = performance.now();
  const call = db.prepare(`
    INSERT INTO calls (call_key, direction, local_line, remote_number, remote_digits, remote_digits_rev, remote_uri, remote_name, queue,
                       started_at, ringing_at, answered_at, ended_at, outcome, sip_code, sip_reason, ended_by, disposition)
    VALUES (?, ?, 'sip:1001@pbx.example.com', ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const step = db.prepare(
    "INSERT INTO transfer_steps (call_id, transfer_id, step, mode, target, sip_code, at) VALUES (?, ?, ?, 'attended', 'sip:queue-sales@pbx', ?, ?)",
  );
  const hold = db.prepare("INSERT INTO holds (call_id, started_at, ended_at, heard, music) VALUES (?, ?, ?, 'music', 'builtin:lounge')");
  const note = db.prepare('INSERT INTO call_notes (call_id, text, at) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= CALLS; i++) {
      const digits = `${200 + Math.floor(random() * 800)}555${String(Math.floor(random() * 10_000)).padStart(4, '0')}`;
      numbers.push(digits);
      const start = T0 + Math.floor((i / CALLS) * SPAN);
      const outcome = outcomes[Math.floor(random() * outcomes.length)]!;
      const answered = outcome === 'answered' || outcome === 'transferred';
      const end = start + 5_000 + Math.floor(random() * 600_000);
      call.run(
        `c${i}`,
        random() < 0.6 ? 'incoming' : 'outgoing',
        formatNumber(digits, i % 3),
        `1${digits}`,
        reverseDigits(`1${digits}`),
        random() < 0.7 ? `${first[Math.floor(random() * first.length)]} ${last[Math.floor(random() * last.length)]}` : null,
        random() < 0.5 ? 'support' : 'sales',
        start,
        start + 50,
        answered ? start + 4_000 : null,
        end,
        outcome,
        answered ? null : 487,
        answered ? null : 'Request Terminated',
        random() < 0.5 ? 'remote' : 'agent',
        random() < 0.2 ? 'resolved' : null,
      );
      if (outcome === 'transferred') {
        step.run(i, `t${i}`, 'requested', null, start + 10_000);
        step.run(i, `t${i}`, 'completed', 200, start + 20_000);
      }
      if (random() < 0.1) hold.run(i, start + 5_000, start + 9_000);
      if (random() < 0.05) {
        note.run(i, `Customer asked about ${noteWords[Math.floor(random() * noteWords.length)]}, ticket ${Math.floor(random() * 1e6)}`, end);
      }
    }
  })();
  const generateMs = performance.now() - t;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { numbers, generateMs };
}

export async function run(): Promise<void> {
  // BENCH_HISTORY_DIR keeps the generated database between runs (while tuning); by default a temp dir is removed.
  const keep = process.env.BENCH_HISTORY_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'history-bench-'));
  const path = join(dir, 'history.sqlite3');
  // Seeded, so runs are comparable.
  const random = seededRandom(42);
  try {
    let numbers: string[];
    if (keep && existsSync(path)) {
      const db = openDatabase(path);
      numbers = (db.prepare("SELECT substr(remote_digits, 2) AS d FROM calls WHERE call_key NOT LIKE 'bench-%'").pluck().all() as string[]);
      db.close();
      console.log(`history: reusing ${numbers.length.toLocaleString('en')} calls in ${path}`);
    } else {
      console.log(`history: generating ${CALLS.toLocaleString('en')} calls…`);
      const generated = generate(path, random);
      numbers = generated.numbers;
      console.log(`  generated in ${(generated.generateMs / 1000).toFixed(1)} s; file ${mb(statSync(path).size)}`);
      // The app's daily upkeep (retention.ts) merges the search index in bounded steps; run it once, as the
      // first start would, so the measurements see the index the app keeps — not the pile of unmerged FTS5
      // segments a one-transaction bulk load leaves behind. Timed and reported.
      const m = performance.now();
      const repo = new HistoryRepository(path);
      const steps = await tidySearchIndex(repo);
      repo.close();
      console.log(`  daily upkeep (search index merge): ${steps} bounded steps, ${((performance.now() - m) / 1000).toFixed(1)} s`);
    }

    // ── first page on a cold open ─────────────────────────────────────────
    // As the app starts: a new process opens the file and reads the first page. "Cold" drops the
    // database's pages from the OS cache first (posix_fadvise DONTNEED through `dd iflag=nocache`);
    // "warm" is the same fresh process with the file cached. Interleaved, 5 of each.
    const opens = coldOpens(path, 5);
    const fmt = (xs: OpenSample[]) => {
      const total = xs.map((o) => o.openMs + o.pageMs);
      return `median ${ms(pct(total, 50))}, max ${ms(Math.max(...total))} (open median ${ms(pct(xs.map((o) => o.openMs), 50))}, first page median ${ms(pct(xs.map((o) => o.pageMs), 50))}); read from disk ${kb(pct(xs.map((o) => o.readBytes), 50))} (median)`;
    };
    console.log(`  open + first page (50 rows) in a fresh process, file dropped from the page cache (${opens.dropped}): ${fmt(opens.cold)}`);
    console.log(`  open + first page in a fresh process, file in the page cache: ${fmt(opens.warm)}`);
    console.log(`  loading the history module in the fresh process (not counted above; tsx compiles it there): median ${ms(pct([...opens.cold, ...opens.warm].map((o) => o.importMs), 50))}`);

    // The cold opens left the file mostly out of the page cache; the searches below measure a console that
    // has been running (its file cached), as every earlier run did: read it back in first.
    warmPageCache(path);
    const repo = new HistoryRepository(path);
    // ── search ────────────────────────────────────────────────────────────
    const kinds: Record<string, () => string> = {
      'full number, other formatting': () => {
        const d = numbers[Math.floor(random() * numbers.length)]!;
        return `(${d.slice(0, 3)}) ${d.slice(3, 6)} ${d.slice(6)}`;
      },
      'partial number (7 digits)': () => {
        const d = numbers[Math.floor(random() * numbers.length)]!;
        return `${d.slice(3, 6)}-${d.slice(6)}`;
      },
      'last name': () => last[Math.floor(random() * last.length)]!.toLowerCase(),
      'first + last name': () => `${first[Math.floor(random() * first.length)]} ${last[Math.floor(random() * last.length)]}`,
      'note word': () => noteWords[Math.floor(random() * noteWords.length)]!,
    };
    const all: number[] = [];
    for (const [kind, make] of Object.entries(kinds)) {
      const times: number[] = [];
      let found = 0;
      for (let i = 0; i < 200; i++) {
        const q = make();
        const t = performance.now();
        found += repo.search({ query: q, limit: 50 }).items.length;
        times.push(performance.now() - t);
      }
      all.push(...times);
      console.log(`  search ${kind}: p50 ${ms(pct(times, 50))}, p95 ${ms(pct(times, 95))}, max ${ms(Math.max(...times))} (avg ${(found / 200).toFixed(1)} rows)`);
    }
    console.log(`  search overall (${all.length} queries, first page of 50): p95 ${ms(pct(all, 95))}`);

    const pageTimes: number[] = [];
    let cursor = null;
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      const page = repo.page({ limit: 50, cursor, filter: { direction: 'incoming' } });
      pageTimes.push(performance.now() - t);
      cursor = page.nextCursor;
    }
    console.log(`  keyset paging, 100 pages deep with a filter: p95 ${ms(pct(pageTimes, 95))}`);

    // ── recording ─────────────────────────────────────────────────────────
    // The live pattern: every event is its own transaction, committed as it happens. Measured two ways,
    // in alternating blocks: through the app's own chain (the call service's history adapter → the
    // resilient recorder → the storage's open file, as startCore wires it) and straight into the
    // repository. The events are counted from the rows they wrote, not assumed.
    const eventsPerCall = 8; // start, answer, hold, unhold, 3 transfer steps, end
    const blocks = 10;
    const callsPerBlock = 125;
    const runId = Date.now().toString(36);
    const app = startHistory({ dataDir: dir, log: silentLogger, now: Date.now, retentionDays: () => null, notice: () => {} });
    await new Promise((r) => setTimeout(r, 200)); // its first upkeep pass (the index is merged already) runs and ends
    const adapter = historyRecorder(app.recorder, () => 'sip:1001@pbx');
    const viaApp = (callId: string, at: number) => {
      adapter.callStarted({ callId, direction: 'incoming', remote: { uri: 'sip:+12025550134@pbx', number: '+1 (202) 555-0134', displayName: 'Bench Caller' }, at });
      adapter.callAnswered({ callId, at: at + 1 });
      adapter.holdStarted({ callId, at: at + 2, heard: { music: 'builtin:lounge' } });
      adapter.holdEnded({ callId, at: at + 3 });
      app.recorder.transferStep({ callId, transferId: `${callId}-t`, step: 'requested', mode: 'blind', target: 'sip:2000@pbx', at: at + 4 });
      app.recorder.transferStep({ callId, transferId: `${callId}-t`, step: 'refer-sent', mode: 'blind', target: 'sip:2000@pbx', at: at + 5 });
      app.recorder.transferStep({ callId, transferId: `${callId}-t`, step: 'completed', mode: 'blind', target: 'sip:2000@pbx', sipCode: 200, at: at + 6 });
      adapter.callEnded({ callId, at: at + 7, answered: true, by: 'agent', code: null, reason: 'transferred' });
    };
    const direct = (callId: string, at: number) => {
      repo.callStarted({ callId, direction: 'incoming', localLine: 'sip:1001@pbx', remote: { number: '+1 (202) 555-0134', displayName: 'Bench Caller' }, queue: 'support', at });
      repo.callAnswered(callId, at + 1);
      repo.holdStarted(callId, at + 2, { music: 'builtin:lounge' });
      repo.holdEnded(callId, at + 3);
      repo.transferStep({ callId, transferId: `${callId}-t`, step: 'requested', mode: 'blind', target: 'sip:2000@pbx', at: at + 4 });
      repo.transferStep({ callId, transferId: `${callId}-t`, step: 'refer-sent', mode: 'blind', target: 'sip:2000@pbx', at: at + 5 });
      repo.transferStep({ callId, transferId: `${callId}-t`, step: 'completed', mode: 'blind', target: 'sip:2000@pbx', sipCode: 200, at: at + 6 });
      repo.callEnded({ callId, at: at + 7, outcome: 'transferred', endedBy: 'agent' });
    };
    const sides = { app: { write: viaApp, wall: 0, cpu: 0, calls: 0 }, direct: { write: direct, wall: 0, cpu: 0, calls: 0 } };
    let serial = 0;
    for (let b = 0; b < blocks * 2; b++) {
      const side = (b % 4 === 0 || b % 4 === 3 ? sides.app : sides.direct); // app, direct, direct, app, …
      const t = performance.now();
      const cpu = process.cpuUsage();
      for (let i = 0; i < callsPerBlock; i++) side.write(`bench-${runId}-${serial++}`, T0 + SPAN + serial * 10);
      const used = process.cpuUsage(cpu);
      side.wall += performance.now() - t;
      side.cpu += (used.user + used.system) / 1e6;
      side.calls += callsPerBlock;
    }
    app.stop();
    // What was written: one call row per call, answered and ended; one closed hold; three steps.
    const reader = openDatabase(path, { readonly: true });
    const counted = reader
      .prepare(`SELECT count(*) AS calls, sum(answered_at IS NOT NULL) AS answered, sum(ended_at IS NOT NULL) AS ended,
                  (SELECT count(*) FROM holds h JOIN calls c ON c.id = h.call_id WHERE c.call_key LIKE ? AND h.ended_at IS NOT NULL) AS holds,
                  (SELECT count(*) FROM transfer_steps s JOIN calls c ON c.id = s.call_id WHERE c.call_key LIKE ?) AS steps
                FROM calls WHERE call_key LIKE ?`)
      .get(`bench-${runId}-%`, `bench-${runId}-%`, `bench-${runId}-%`) as { calls: number; answered: number; ended: number; holds: number; steps: number };
    reader.close();
    const events = counted.calls + counted.answered + 2 * counted.holds + counted.steps + counted.ended;
    const expected = serial * eventsPerCall;
    if (events !== expected) throw new Error(`recording: ${events} events found in the file, ${expected} written (${JSON.stringify(counted)})`);
    const rate = (x: number) => Math.round(x).toLocaleString('en');
    for (const [name, side] of Object.entries(sides)) {
      const n = side.calls * eventsPerCall;
      console.log(
        `  recording ${rate(n)} events (${rate(side.calls)} calls × ${eventsPerCall}), one transaction per event, ${name === 'app' ? "through the app's recorder chain" : 'straight into the repository'}: ` +
          `${rate(n / (side.wall / 1000))} events/s wall (${rate(n / side.cpu)} per CPU-second)`,
      );
    }
    console.log(`  counted in the file: ${rate(events)} events (${JSON.stringify(counted)}); load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);

    // ── export ────────────────────────────────────────────────────────────
    globalThis.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t = performance.now();
    const exported = await repo.exportCsv();
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    console.log(
      `  export ${exported.rows.toLocaleString('en')} rows: ${((performance.now() - t) / 1000).toFixed(1)} s, ${mb(statSync(exported.path).size)} CSV; ` +
        `RSS ${mb(rssBefore)} before, peak ${mb(peak)} during (+${mb(peak - rssBefore)})`,
    );
    repo.close();
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
