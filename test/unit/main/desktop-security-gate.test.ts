/**
 * The Electron security gate (test/security/electronegativity.mjs) must fail
 * on real problems: a real scan over a deliberately insecure window finds
 * findings above LOW, the judge blocks them unless allow-listed for that exact
 * file and line, and stale allow-list entries are reported.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without type declarations
import * as gate from '../../security/electronegativity';

interface Finding { id: string; severity: string; file: string; location: string; sample: string }
const { judge, parseCsv, readFindings, scan, allowList, toCsv } = gate as {
  toCsv(issues: object[]): string;
  judge(f: Finding[], allow?: Array<{ id: string; file: string; sample: string; reason: string }>): { blocking: Finding[]; allowed: Finding[]; stale: unknown[] };
  parseCsv(text: string): string[][];
  readFindings(csv: string): Finding[];
  scan(o: { from: string; entries: string[]; report: string; work: string }): Promise<{ findings: Finding[] }>;
  allowList: Array<{ id: string; file: string; sample: string; reason: string }>;
};

const dir = mkdtempSync(join(tmpdir(), 'electronegativity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('security gate', () => {
  it('a real scan of an insecure window reports findings above LOW, and the gate blocks them', async () => {
    const app = join(dir, 'app');
    mkdirSync(join(app, 'main'), { recursive: true });
    writeFileSync(
      join(app, 'main/index.js'),
      "const { BrowserWindow } = require('electron');\n" +
        "const win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\n" +
        "win.loadURL('http://example.com');\n",
    );
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'x', devDependencies: { electron: '45.5.0' } }));
    const { findings } = await scan({ from: app, entries: ['main', 'package.json'], report: join(dir, 'r.csv'), work: join(dir, 'work') });
    const ids = findings.map((f) => f.id);
    const expected = ['CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK', 'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK'];
    expect(ids).toEqual(expect.arrayContaining(expected));
    const { blocking } = judge(findings);
    expect(blocking.map((f) => f.id)).toEqual(expect.arrayContaining(expected));
  }, 60_000);

  it('LOW and INFORMATIONAL findings pass; MEDIUM passes only when allow-listed for that file and line', () => {
    const f = (over: Partial<Finding>): Finding => ({ id: 'X', severity: 'MEDIUM', file: 'main/a.ts', location: '1:1', sample: 'shell.openExternal(url)', ...over });
    const allow = [{ id: 'X', file: 'main/a.ts', sample: 'openExternal(url)', reason: 'guarded' }];
    const result = judge([f({ severity: 'LOW' }), f({ severity: 'INFORMATIONAL' }), f({}), f({ file: 'main/b.ts' }), f({ sample: 'other' }), f({ severity: 'HIGH', id: 'Y' })], allow);
    expect(result.allowed).toHaveLength(1);
    expect(result.blocking.map((b) => `${b.id} ${b.file} ${b.sample}`)).toEqual([
      'X main/b.ts shell.openExternal(url)',
      'X main/a.ts other',
      'Y main/a.ts shell.openExternal(url)',
    ]);
    expect(result.stale).toEqual([]);
  });

  it('an allow-list entry that no finding matches is reported as stale', () => {
    expect(judge([], [{ id: 'X', file: 'f', sample: 's', reason: 'r' }]).stale).toHaveLength(1);
  });

  it('an unknown severity blocks rather than passes', () => {
    expect(judge([{ id: 'X', severity: 'WEIRD', file: 'f', location: '1:1', sample: '' }]).blocking).toHaveLength(1);
  });

  it('every allow-list entry states its reason', () => {
    for (const entry of allowList) expect(entry.reason.length, entry.id).toBeGreaterThan(40);
  });

  it('writes the report in the layout it reads back, quotes and all', () => {
    const issue = {
      id: 'PRELOAD_JS_CHECK',
      severity: { name: 'MEDIUM' },
      confidence: { name: 'TENTATIVE' },
      file: 'main/w.ts',
      location: { line: 3, column: 4 },
      sample: "preload: join(dir, \"a,b\")",
      description: 'Review "preload"',
    };
    expect(readFindings(toCsv([issue]))).toEqual([
      {
        id: 'PRELOAD_JS_CHECK',
        severity: 'MEDIUM',
        confidence: 'TENTATIVE',
        file: 'main/w.ts',
        location: '3:4',
        sample: 'preload: join(dir, "a,b")',
        description: 'Review "preload"',
        url: 'https://github.com/doyensec/electronegativity/wiki/PRELOAD_JS_CHECK',
      },
    ]);
  });

  it('reads the CSV report, quoted fields and a header written out of order', () => {
    expect(parseCsv('a,"b, ""c""",d\r\n"x\ny",z\n')).toEqual([['a', 'b, "c"', 'd'], ['x\ny', 'z']]);
    const csv =
      'SANDBOX_JS_CHECK,"MEDIUM","CERTAIN","main/w.ts","3:4","new BrowserWindow({","Use sandbox",https://x\n' +
      'issue, severity, confidence, filename, location, sample, description, url\n';
    expect(readFindings(csv)).toEqual([
      { id: 'SANDBOX_JS_CHECK', severity: 'MEDIUM', confidence: 'CERTAIN', file: 'main/w.ts', location: '3:4', sample: 'new BrowserWindow({', description: 'Use sandbox', url: 'https://x' },
    ]);
  });
});
