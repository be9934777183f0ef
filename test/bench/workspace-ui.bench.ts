/**
 * The workspace in Debian Chromium through the headless harness (real core,
 * built UI): the gzipped UI bundle, the time from a pushed snapshot of four
 * calls to the painted frame, and from the pointer moving a dragged call onto
 * a target to that target's highlight (targets ≤ 150 KB, ≤ 8 ms, ≤ 16 ms;
 * docs/testing.md). Times are measured inside the page (performance.now), so
 * the Node↔browser hop is not counted: what is measured is the UI's own work.
 *
 *   npm run bench -- workspace-ui
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startHarness, repoRoot } from '../harness/index';
import { establishedCall, idleTransfer, pushWorkspace } from '../support/workspace-fixtures';

const ROUNDS = 60;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** What the UI page loads: the assets its index.html names, and the chunks they import in turn. */
function bundleSize(): { raw: number; gzip: number; files: number } {
  const root = join(repoRoot, 'out/renderer');
  const html = readFileSync(join(root, 'ui/index.html'), 'utf8');
  const queue = [...html.matchAll(/(?:src|href)="\.\.\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const seen = new Set<string>();
  let raw = 0;
  let gzip = 0;
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const bytes = readFileSync(join(root, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
    if (file.endsWith('.js')) for (const m of bytes.toString('utf8').matchAll(/from\s*"\.\/([^"]+\.js)"/g)) queue.push(`assets/${m[1]}`);
  }
  return { raw, gzip, files: seen.size };
}

export async function run(): Promise<void> {
  const size = bundleSize();
  console.log(`UI bundle (what out/renderer/ui/index.html loads, ${size.files} files): ${(size.raw / 1024).toFixed(1)} KB raw, ${(size.gzip / 1024).toFixed(1)} KB gzip (target ≤ 150 KB)`);

  const dataDir = mkdtempSync(join(tmpdir(), 'bench-workspace-'));
  const h = await startHarness({ dataDir, viewport: { width: 1280, height: 800 } });
  try {
    await h.ui.waitForFunction(() => typeof window.consoleApi === 'object');
    await h.ui.evaluate(() =>
      window.consoleApi.settings.update({
        targets: { colleagues: [{ name: 'Bob Lee', address: '2001' }, { name: 'Chris Wu', address: '2002' }], queues: [{ name: 'Support', address: '600' }] },
      }),
    );
    await h.ui.getByRole('button', { name: 'Calls', exact: true }).click();
    await h.ui.waitForSelector('[data-drop-key]', { timeout: 15_000 });

    // tsx keeps function names with a `__name(fn, "name")` helper that only exists in Node: the
    // functions below run in the page, so the page gets a stand-in.
    await h.ui.evaluate('globalThis.__name = (fn) => fn');

    // ── snapshot → painted frame ──
    // In the page: the time a calls:changed push arrives, then the frame after the DOM shows it.
    await h.ui.evaluate(() => {
      const w = window as unknown as { work: number[]; frame: number[]; expectName: string | null };
      w.work = [];
      w.frame = [];
      w.expectName = null;
      const channel = new MessageChannel();
      let pending: (() => void) | null = null;
      channel.port1.onmessage = () => pending?.();
      window.consoleApi.calls.onChanged(() => {
        const t0 = performance.now();
        const want = w.expectName;
        // Svelte applies the push in a microtask; a message task runs after it. Forcing layout there
        // counts style and layout too: that is the UI's own work for the snapshot.
        let tries = 0;
        pending = () => {
          // The app's own listener may run after this one: look again on the next task until it shows.
          if (!want || !document.body.textContent?.includes(want)) {
            if (++tries < 1000) channel.port2.postMessage(null);
            return;
          }
          void document.body.offsetHeight;
          w.work.push(performance.now() - t0);
          // …and the frame that paints it: rAF runs just before that frame's paint.
          requestAnimationFrame(() => w.frame.push(performance.now() - t0));
        };
        channel.port2.postMessage(null);
      });
    });
    const now = Date.now();
    for (let i = 0; i < ROUNDS; i++) {
      const tag = `Caller ${i}`;
      const calls = [0, 1, 2, 3].map((k) => establishedCall(`b${k}`, k === 0 ? tag : `Party ${k}`, `20${k}${i % 10}`, now - k * 1000, k > 0 ? { hold: { local: true, remote: false }, heldSince: now - 500, holdAudio: { music: 'Lounge' }, allowedActions: ['hangup', 'unhold'] } : {}));
      await h.ui.evaluate((name) => ((window as unknown as { expectName: string }).expectName = name), tag);
      pushWorkspace(h, calls, calls.map((c) => idleTransfer(c.id)));
      await h.ui.waitForFunction((n) => (window as unknown as { frame: number[] }).frame.length >= n, i + 1, { timeout: 5000 });
    }
    const { work, frame } = await h.ui.evaluate(() => {
      const w = window as unknown as { work: number[]; frame: number[] };
      return { work: w.work, frame: w.frame };
    });
    const w = work.slice(5);
    const f = frame.slice(5);
    console.log(`4 calls pushed → DOM updated and laid out (${w.length} pushes): p50 ${ms(pct(w, 50))}, p95 ${ms(pct(w, 95))} (target ≤ 8 ms)`);
    console.log(`  … → the next frame starts painting it: p50 ${ms(pct(f, 50))}, p95 ${ms(pct(f, 95))} (adds the wait for the display's next frame, up to 16.7 ms at 60 Hz)`);

    // ── drag over a target → its highlight ──
    pushWorkspace(h, [establishedCall('d1', 'Dana Drag', '3001', now)], [idleTransfer('d1')]);
    const card = h.ui.locator('article[data-call-id="d1"]');
    await card.waitFor();
    await h.ui.evaluate(() => {
      const w = window as unknown as { lastMove: number; highlights: number[] };
      w.highlights = [];
      window.addEventListener('pointermove', (e) => (w.lastMove = e.timeStamp), { capture: true });
      new MutationObserver((records) => {
        for (const r of records) {
          const el = r.target as HTMLElement;
          if (r.attributeName === 'data-verdict' || r.attributeName === 'class') {
            if (el.classList.contains('over') && (el.dataset['verdict'] === 'accept' || el.dataset['verdict'] === 'warn')) {
              // To the start of the frame that paints it (rAF runs just before that frame's paint).
              requestAnimationFrame(() => w.highlights.push(performance.now() - w.lastMove));
            }
          }
        }
      }).observe(document.body, { attributes: true, subtree: true, attributeFilter: ['class', 'data-verdict'] });
    });
    const targets = h.ui.locator('[data-drop-key]');
    const box = (await card.boundingBox())!;
    for (let i = 0; i < 20; i++) {
      const target = (await targets.nth(i % 2).boundingBox())!;
      const other = (await targets.nth((i + 1) % 2).boundingBox())!;
      await h.ui.mouse.move(box.x + 20, box.y + 15);
      await h.ui.mouse.down();
      await h.ui.mouse.move(box.x + 60, box.y + 40, { steps: 3 });
      await h.ui.mouse.move(other.x + 30, other.y + other.height / 2 + 40, { steps: 2 });
      await h.ui.mouse.move(target.x + 30, target.y + target.height / 2, { steps: 1 });
      await h.ui.waitForTimeout(40);
      await h.ui.keyboard.press('Escape');
      await h.ui.mouse.up();
      await h.ui.keyboard.press('Escape');
    }
    const highlight = await h.ui.evaluate(() => (window as unknown as { highlights: number[] }).highlights);
    if (highlight.length === 0) console.log('drag → highlight: no highlight observed (the targets panel did not mark a drop target)');
    else console.log(`pointer over a target → highlight painted (${highlight.length} drags): p50 ${ms(pct(highlight, 50))}, p95 ${ms(pct(highlight, 95))} (target ≤ 16 ms)`);
  } finally {
    await h.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
