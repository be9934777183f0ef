/**
 * Support for the history screen's built-UI test and benchmark:
 *
 * - `seedHistory(dataDir, { calls })` writes a history database of `calls`
 *   calls into `<dataDir>/history.sqlite3` before the core starts: one
 *   transaction of prepared inserts (the FTS triggers index as they go), the
 *   way test/bench/history.bench.ts generates its million, then the search
 *   index merged as the app's daily upkeep would. Deterministic (seeded), so
 *   the test knows its landmarks: `landmarks` names a transferred call with
 *   full steps, a call with a note, a missed call, and a number to search for.
 *   100,000 calls take about 3 s, 1,000,000 about 30 s.
 *
 * - `historyRendererDir()` gives the renderer folder the harness should serve
 *   for the history screen: the built app when its bundle contains the
 *   history view (App.svelte wires it), otherwise a small page built here
 *   with Vite that mounts HistoryView over window.consoleApi alone, with a
 *   dialer field the call-back fills — so the screen can be tested before,
 *   and independently of, the rest of the app.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../main/history/database';
import { reverseDigits } from '../../main/history/migrations/0003-number-suffix';
import { HistoryRepository } from '../../main/history/repository';
import { tidySearchIndex } from '../../main/history/retention';
import { repoRoot, rendererOutDir } from '../harness/static-server';
import { seededRandom } from './random';

export const seedStart = Date.UTC(2025, 0, 1);
const span = 365 * 24 * 3600 * 1000;

const first = ['Ada', 'Grace', 'Alan', 'Linus', 'Barbara', 'Edsger', 'Donald', 'Margaret', 'Ken', 'Dennis', 'Radia', 'Frances', 'Zoë', 'Ming', 'Aisha', 'Priya'];
const last = ['Lovelace', 'Hopper', 'Turing', 'Liskov', 'Dijkstra', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Allen', 'Nguyen', 'Okafor', 'Müller', 'García'];
const outcomes = ['answered', 'answered', 'answered', 'answered', 'missed', 'declined', 'busy', 'no-answer', 'cancelled', 'failed', 'transferred'] as const;

export interface HistoryLandmarks {
  /** A transferred call near the top of the list: attended to sip:sales@pbx.example.com, with a failed first try. */
  transferred: { id: number; number: string; name: string; target: string; steps: string[] };
  /** A number (as stored, +1 and 10 digits) that occurs in exactly one call. */
  unique: { id: number; stored: string; digits: string };
  /** The newest call. */
  newestId: number;
}

export function seedHistory(dataDir: string, o: { calls: number; seed?: number }): HistoryLandmarks {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'history.sqlite3');
  const random = seededRandom(o.seed ?? 7);
  const db = openDatabase(path);
  const insertCall = db.prepare(`
    INSERT INTO calls (id, call_key, direction, local_line, remote_number, remote_digits, remote_digits_rev, remote_uri, remote_name, queue,
                       started_at, ringing_at, answered_at, ended_at, outcome, sip_code, sip_reason, ended_by, disposition)
    VALUES (?, ?, ?, 'sip:1001@pbx.example.com', ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const step = db.prepare('INSERT INTO transfer_steps (call_id, transfer_id, step, mode, target, sip_code, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const hold = db.prepare("INSERT INTO holds (call_id, started_at, ended_at, heard, music) VALUES (?, ?, ?, 'music', 'builtin:lounge')");
  const note = db.prepare('INSERT INTO call_notes (call_id, text, at) VALUES (?, ?, ?)');
  const target = 'sip:sales@pbx.example.com';
  // Numbers 555-0000…555-9999 repeat across calls; the unique one uses an exchange no other call uses.
  const uniqueDigits = '3125550199';
  const uniqueId = Math.max(1, o.calls - 40);
  const transferredId = Math.max(1, o.calls - 3);
  let transferredNumber = '';
  let transferredName = '';
  db.transaction(() => {
    for (let id = 1; id <= o.calls; id++) {
      const digits = id === uniqueId ? uniqueDigits : `${200 + Math.floor(random() * 700)}555${String(Math.floor(random() * 10_000)).padStart(4, '0')}`;
      const stored = `+1 ${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
      const start = seedStart + Math.floor((id / o.calls) * span);
      const outcome = id === transferredId ? 'transferred' : id === uniqueId ? 'answered' : outcomes[Math.floor(random() * outcomes.length)]!;
      const answered = outcome === 'answered' || outcome === 'transferred';
      const end = start + 5_000 + Math.floor(random() * 600_000);
      const name = id === transferredId || random() < 0.7 ? `${first[Math.floor(random() * first.length)]} ${last[Math.floor(random() * last.length)]}` : null;
      insertCall.run(
        id,
        `seed-${id}`,
        outcome === 'missed' || outcome === 'declined' || id === transferredId || random() < 0.5 ? 'incoming' : 'outgoing',
        stored,
        `1${digits}`,
        reverseDigits(`1${digits}`),
        name,
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
      if (id === transferredId) {
        transferredNumber = stored;
        transferredName = name!;
        // A first attended try to a busy colleague, taken back; then a blind transfer to sales that completes.
        step.run(id, 't1', 'requested', 'attended', 'sip:2002@pbx.example.com', null, null, start + 10_000);
        step.run(id, 't1', 'failed', 'attended', 'sip:2002@pbx.example.com', 486, 'Busy Here', start + 12_000);
        step.run(id, 't1', 'taken-back', 'attended', 'sip:2002@pbx.example.com', null, null, start + 12_500);
        step.run(id, 't2', 'requested', 'blind', target, null, null, start + 20_000);
        step.run(id, 't2', 'refer-sent', 'blind', target, null, null, start + 20_100);
        step.run(id, 't2', 'accepted', 'blind', target, 202, 'Accepted', start + 20_300);
        step.run(id, 't2', 'completed', 'blind', target, 200, null, start + 21_000);
        hold.run(id, start + 10_000, start + 12_500);
      } else if (outcome === 'transferred') {
        step.run(id, `t${id}`, 'requested', 'attended', 'sip:queue-sales@pbx', null, null, start + 10_000);
        step.run(id, `t${id}`, 'completed', 'attended', 'sip:queue-sales@pbx', 200, null, start + 20_000);
      }
      if (id !== transferredId && random() < 0.1) hold.run(id, start + 5_000, start + 9_000);
      if (random() < 0.05) note.run(id, `Asked about invoice ${Math.floor(random() * 1e6)}`, end);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return {
    transferred: {
      id: transferredId,
      number: transferredNumber,
      name: transferredName,
      target,
      steps: ['requested', 'failed', 'taken-back', 'requested', 'refer-sent', 'accepted', 'completed'],
    },
    unique: { id: uniqueId, stored: `+1 ${uniqueDigits.slice(0, 3)}-${uniqueDigits.slice(3, 6)}-${uniqueDigits.slice(6)}`, digits: uniqueDigits },
    newestId: o.calls,
  };
}

/** Merges the search index as the app's daily upkeep does (a bulk load leaves many segments). */
export async function tidySeededHistory(dataDir: string): Promise<void> {
  const repo = new HistoryRepository(join(dataDir, 'history.sqlite3'));
  try {
    await tidySearchIndex(repo);
  } finally {
    repo.close();
  }
}

/** True when the built app's UI bundle contains the history view (App.svelte wires it). */
export function appHasHistoryView(): boolean {
  const assets = join(rendererOutDir, 'assets');
  if (!existsSync(join(rendererOutDir, 'ui/index.html')) || !existsSync(assets)) return false;
  return readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .some((f) => readFileSync(join(assets, f), 'utf8').includes('history-view'));
}

/**
 * A renderer folder with `ui/index.html` mounting only HistoryView (over
 * window.consoleApi, as the harness shim provides it) and a dialer field the
 * call-back fills, built with Vite and the Svelte plugin into a temp folder.
 */
export async function buildHistoryPage(): Promise<string> {
  const { build } = await import('vite');
  const { svelte } = await import('@sveltejs/vite-plugin-svelte');
  // Inside the repository (under the ignored test-results/), so `svelte` resolves from its node_modules.
  mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
  const src = mkdtempSync(join(repoRoot, 'test-results', 'history-page-src-'));
  const out = mkdtempSync(join(tmpdir(), 'history-page-'));
  const ui = join(src, 'ui');
  mkdirSync(ui);
  const abs = (p: string) => JSON.stringify(join(repoRoot, p));
  writeFileSync(
    join(ui, 'index.html'),
    readFileSync(join(repoRoot, 'renderer/ui/index.html'), 'utf8').replace(
      '<div id="app"></div>',
      '<main class="page"><label for="dial-target">Number or SIP address</label> <input id="dial-target" type="text" /><div id="app" class="app"></div></main>',
    ),
  );
  writeFileSync(
    join(ui, 'main.ts'),
    `import { mount } from 'svelte';
import HistoryView from ${abs('renderer/ui/components/history/HistoryView.svelte')};
import { HistoryModel } from ${abs('renderer/ui/state/history.svelte.ts')};
import ${abs('renderer/ui/theme.css')};
import './page.css';
const dialer = document.getElementById('dial-target') as HTMLInputElement;
// Like opening the History tab on a fresh window: the model starts and the view mounts. ?manual waits for the bench to ask.
function openHistory() {
  const model = new HistoryModel(window.consoleApi);
  model.start();
  (window as unknown as { historyModel: HistoryModel }).historyModel = model;
  mount(HistoryView, {
    target: document.getElementById('app')!,
    props: { model, oncallback: (n: string) => { dialer.value = n; dialer.focus(); } },
  });
}
(window as unknown as { openHistory: () => void }).openHistory = openHistory;
if (!location.search.includes('manual')) openHistory();
`,
  );
  writeFileSync(
    join(ui, 'page.css'),
    'html,body{margin:0;height:100%}.page{height:100vh;display:flex;flex-direction:column;gap:.4rem;padding:.75rem;box-sizing:border-box;background:var(--app-bg)}.app{flex:1;min-height:0;display:flex;flex-direction:column}',
  );
  await build({
    root: src,
    configFile: false,
    logLevel: 'warn',
    plugins: [svelte()],
    resolve: { conditions: ['browser'] },
    build: { outDir: out, emptyOutDir: true, rollupOptions: { input: { ui: join(ui, 'index.html') } } },
  });
  return out;
}

/** Where the harness should serve the history screen from (see the module comment). */
export async function historyRendererDir(): Promise<{ dir: string; app: boolean }> {
  if (appHasHistoryView()) return { dir: rendererOutDir, app: true };
  return { dir: await buildHistoryPage(), app: false };
}
