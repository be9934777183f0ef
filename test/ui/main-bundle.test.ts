/**
 * The built main process (out/main, electron-vite): its npm dependencies are
 * bundled in — Node parses one file at start instead of resolving a few
 * hundred under node_modules, and holds less memory all day (docs/performance.md)
 * — so what it still imports must be only Node's built-ins, Electron and the
 * native SQLite module, and the bundle must evaluate: every bundled dependency's
 * top level runs in plain Node with Electron stood in for
 * (test/support/electron-stub-hooks.mjs). The built-in demo's switchboard is a
 * chunk of its own, loaded when the demo first starts.
 * Needs `npx electron-vite build` (npm test builds first); skipped loudly without it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/static-server';

const outMain = join(repoRoot, 'out/main');
const entry = join(outMain, 'index.js');
const built = existsSync(entry);
if (!built) console.warn(`\n${'!'.repeat(78)}\n!! MAIN BUNDLE TESTS SKIPPED: ${entry} is missing. Run \`npx electron-vite build\` (npm test does it first).\n${'!'.repeat(78)}\n`);

/** Every module specifier a built ES module imports statically or dynamically. */
const importsOf = (code: string) => [...code.matchAll(/(?:^|[;\n])\s*import\s*(?:[\w${}\s,*]+\s+from\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]!);

describe.skipIf(!built)('the built main process', () => {
  const files = built ? [entry, ...readdirSync(join(outMain, 'chunks')).map((f) => join(outMain, 'chunks', f))] : [];

  it('imports nothing from node_modules but Electron and better-sqlite3, which are all the installer packs', () => {
    const outside = files.flatMap((f) => importsOf(readFileSync(f, 'utf8'))).filter((s) => !s.startsWith('node:') && !s.startsWith('.'));
    expect(new Set(outside)).toEqual(new Set(['electron', 'better-sqlite3']));
    // electron-builder packs `dependencies` into the app's node_modules: exactly what the bundle imports, Electron
    // being the app itself. A bundled library listed there would ship twice; one missing would fail at start.
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(new Set(Object.keys(pkg.dependencies))).toEqual(new Set([...outside].filter((s) => s !== 'electron')));
  });

  it('keeps the demo switchboard and its SIP parser in a chunk loaded on first use', () => {
    const main = readFileSync(entry, 'utf8');
    const chunk = files.find((f) => /chunks\/switchboard-[\w-]+\.js$/.test(f));
    expect(chunk, `chunks: ${files.join(', ')}`).toBeDefined();
    expect(importsOf(main)).toContain(`./chunks/${chunk!.replace(/^.*\//, '')}`);
    expect(importsOf(main).filter((s) => s.startsWith('./chunks/')).every((s) => main.includes(`import("${s}")`) || main.includes(`import('${s}')`))).toBe(true);
    // SIP.js (its grammar and parser) is only in that chunk: the console's own line is JsSIP. The
    // bundler names each bundled module's source in a region comment.
    expect(readFileSync(chunk!, 'utf8')).toContain('node_modules/sip.js/');
    expect(main).not.toContain('node_modules/sip.js/');
  });

  it('evaluates in plain Node: every bundled dependency loads', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', join(repoRoot, 'test/support/electron-stub-register.mjs'), '--input-type=module', '-e', `await import(${JSON.stringify(entry)}); console.log('evaluated'); process.exit(0);`],
      { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('evaluated');
    expect(r.status).toBe(0);
  });
});
