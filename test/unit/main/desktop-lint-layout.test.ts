/**
 * The layout rules in eslint.config.js do fire: code in the wrong place is an
 * ESLint error, with the reason in the message. Each case lints a snippet as if
 * it lived at a given path (type-aware rules off: the files do not exist).
 */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({
    cwd: root,
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false, project: null } },
      rules: {
        '@typescript-eslint/no-floating-promises': 'off',
        '@typescript-eslint/no-misused-promises': 'off',
        '@typescript-eslint/await-thenable': 'off',
        '@typescript-eslint/switch-exhaustiveness-check': 'off',
        '@typescript-eslint/no-unused-vars': 'off',
      },
    },
  });
});

/** The rule ids and messages ESLint reports for `code` at `path`. */
async function lint(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const cases: Array<[string, string, RegExp]> = [
  ['main/core/index.ts', "import { app } from 'electron';\nexport const a = app;", /Electron is imported only by/],
  ['main/sip/ua.ts', "import Database from 'better-sqlite3';\nexport const d = Database;", /better-sqlite3 is imported only by main\/history/],
  ['main/history/db.ts', "import JsSIP from 'jssip';\nexport const j = JsSIP;", /JsSIP is imported only by main\/sip/],
  ['main/calls/machine.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;", /main\/calls\/ is pure TypeScript/],
  ['main/calls/machine.ts', "import { EventEmitter } from 'events';\nexport const e = EventEmitter;", /main\/calls\/ is pure TypeScript/],
  ['main/calls/machine.ts', 'export const t = () => setTimeout(() => {}, 10);', /no timers/],
  ['main/calls/machine.ts', 'export const now = () => Date.now();', /no clock/],
  ['main/calls/transfer/service.ts', "import type { Router } from '../../ipc/router';\nexport type R = Router;", /never from the UI channel/],
  ['main/calls/transfer/service.ts', "import { contract } from '../../../preload/contract';\nexport const c = contract;", /pushes nothing to the UI/],
  ['preload/ui.ts', "import { join } from 'node:path';\nexport const j = join;", /sandboxed preload cannot require Node/],
  [
    'preload/ui.ts',
    "import { contextBridge, ipcRenderer } from 'electron';\ncontextBridge.exposeInMainWorld('x', { invoke: (c: string) => ipcRenderer.invoke(c) });",
    /No generic invoke|Never hand ipcRenderer/,
  ],
  ['renderer/ui/state/x.svelte.ts', "import { contract } from '../../../preload/contract';\nexport const c = contract;", /imports only types from the contract/],
  ['renderer/ui/state/x.svelte.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;", /Never in the renderer/],
  ['renderer/ui/state/x.svelte.ts', "import { createRouter } from '../../../main/ipc/router';\nexport const r = createRouter;", /only through window.consoleApi/],
  ['renderer/media/host.ts', "import { createRouter } from '../../main/ipc/router';\nexport const r = createRouter;", /only over its MessagePort/],
  ['renderer/media/host.ts', "import { contract } from '../../preload/contract';\nexport const c = contract;", /only types from the contract/],
  ['main/desktop/x.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;", /renderer API/],
  ['main/settings/x.ts', 'export const w = (api: { ipcRenderer: unknown }) => api.ipcRenderer;', /ipcRenderer exists only inside preload/],
  ['main/desktop/x.ts', 'export const prefs = { webPreferences: { nodeIntegration: true } };', /nodeIntegration: true weakens/],
  ['main/desktop/x.ts', 'export const prefs = { webPreferences: { contextIsolation: false, sandbox: false } };', /contextIsolation: false weakens/],
  ['main/sip/line.ts', "import { Grammar } from 'sip.js';\nexport const g = Grammar;", /SIP.js is imported only by the built-in demo/],
  ['main/demo/director.ts', "import { Grammar } from 'sip.js';\nexport const g = Grammar;", /SIP.js is imported only by the built-in demo/],
  ['renderer/ui/state/x.svelte.ts', "import { UserAgent } from 'sip.js';\nexport const u = UserAgent;", /SIP.js is imported only by the built-in demo/],
  ['renderer/demo/party.ts', "import JsSIP from 'jssip';\nexport const j = JsSIP;", /JsSIP is imported only by main\/sip/],
];

// ESLint loads its config and parsers on the first lint: slow on a busy machine.
describe('layout rules', { timeout: 30_000 }, () => {
  it.each(cases)('%s: %s is refused', async (path, code, expected) => {
    const messages = await lint(path, code);
    expect(messages.join('\n')).toMatch(expected);
  });

  const allowed: Array<[string, string]> = [
    ['main/index.ts', "import { app } from 'electron';\nexport const a = app;"],
    ['main/desktop/x.ts', "import { safeStorage } from 'electron';\nexport const s = safeStorage;"],
    ['main/sip/ua.ts', "import JsSIP from 'jssip';\nexport const j = JsSIP;"],
    ['main/history/db.ts', "import Database from 'better-sqlite3';\nexport const d = Database;"],
    ['main/settings/file.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;"],
    // A file of ours named like a Node built-in is not one.
    ['main/calls/transfer/service.ts', "import type { CallFact } from '../call/events';\nexport type F = CallFact;"],
    ['main/calls/transfer/service.ts', "import { ConsoleError, type CallSnapshot } from '../../../preload/contract';\nexport const e: [typeof ConsoleError, CallSnapshot?] = [ConsoleError];"],
    ['renderer/ui/state/x.svelte.ts', "import type { Result } from '../../../preload/contract';\nexport type R = Result<number>;"],
    ['renderer/ui/env.d.ts', "import type { ConsoleApi } from '../../preload/ui-api';\nexport type A = ConsoleApi;"],
    ['renderer/media/main.ts', "import { mediaHostPortChannel } from '../../preload/contract/media-port';\nexport const c = mediaHostPortChannel;"],
    ['renderer/media/host.ts', "import type { MusicSource } from '../../main/media/protocol';\nexport type M = MusicSource;"],
    ['preload/ui.ts', "import { contextBridge, ipcRenderer } from 'electron';\nexport const x = [contextBridge, ipcRenderer];"],
    ['main/demo/sip/message.ts', "import { Grammar } from 'sip.js';\nexport const g = Grammar;"],
    ['renderer/demo/party.ts', "import { UserAgent } from 'sip.js';\nexport const u = UserAgent;"],
    ['test/unit/main/x.test.ts', "import Database from 'better-sqlite3';\nimport JsSIP from 'jssip';\nexport const x = [Database, JsSIP];"],
  ];
  it.each(allowed)('%s: allowed', async (path, code) => {
    expect(await lint(path, code)).toEqual([]);
  });
});
