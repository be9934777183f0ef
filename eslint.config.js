// ESLint flat config. Besides the usual recommended sets, it enforces the
// layout rules of docs/architecture.md ("Where each library may be imported")
// as import restrictions, so "where code runs shows in its path"
// (docs/code-style.md) is checked by a machine rather than by goodwill:
//   electron       only in main/index.ts, main/desktop/**, preload/**
//   jssip          only in main/sip/**
//   better-sqlite3 only in main/history/**
//   sip.js         only in the built-in demo: main/demo/sip/** (its switchboard) and renderer/demo/** (its parties)
//   main/calls/**  pure TypeScript: no Node built-ins, no I/O libraries, no timers or clocks
//   preload/**     sandboxed: no Node built-ins (a sandboxed preload cannot require them)
//   renderer/**    types only from preload/contract, nothing from main/, electron or Node
//                  (the media host may also name its port handshake and use the media protocol's types)
//   ipcRenderer    only in preload/**, and never handed to the page as such
// Tests (test/**) are outside these rules on purpose: they reach into mocks and
// drive the real libraries to prove the code that ships obeys them.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';


const why = {
  electron: 'Electron is imported only by main/index.ts, main/desktop/ and preload/ (docs/architecture.md).',
  jssip: 'JsSIP is imported only by main/sip/ (docs/architecture.md).',
  'better-sqlite3': 'better-sqlite3 is imported only by main/history/ (docs/architecture.md).',
  'sip.js': 'SIP.js is imported only by the built-in demo: main/demo/sip/ and renderer/demo/ (docs/demo.md).',
};

/** A path restriction for @typescript-eslint/no-restricted-imports (it also sees `import type`). */
const ban = (name, message, extra = {}) => ({ name, message, ...extra });
const banOwned = (...modules) => modules.map((m) => ban(m, why[m]));

// Anchored, so a file of ours named like a built-in (./events, ./path) is not mistaken for it.
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const nodeBan = (message) => ({
  regex: `^(node:.*|${builtinModules.filter((m) => !m.startsWith('_')).map(escapeRe).join('|')})$`,
  message,
});

/** Syntax no code of ours may contain, wherever it lives. */
const insecureWebPreferences = [
  ['nodeIntegration', true],
  ['nodeIntegrationInWorker', true],
  ['nodeIntegrationInSubFrames', true],
  ['contextIsolation', false],
  ['sandbox', false],
  ['webSecurity', false],
  ['allowRunningInsecureContent', true],
  ['webviewTag', true],
].map(([key, value]) => ({
  selector: `Property[key.name='${key}'][value.value=${value}]`,
  message: `${key}: ${value} weakens the renderer sandbox (docs/code-style.md).`,
}));

const noIpcRendererOutsidePreload = {
  'no-restricted-properties': [
    'error',
    { property: 'ipcRenderer', message: 'ipcRenderer exists only inside preload/ (docs/architecture.md: no raw ipcRenderer).' },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'ipcRenderer', message: 'ipcRenderer exists only inside preload/ (docs/architecture.md: no raw ipcRenderer).' },
  ],
};

const rendererPaths = banOwned('electron', 'jssip', 'better-sqlite3', 'sip.js').map((p) => ({
  ...p,
  message: `${p.message} Never in the renderer.`,
}));

/**
 * One config object per area. Flat config replaces a rule's options when a
 * later object matches the same file, so the areas are disjoint (via
 * `ignores`) and each carries its complete list.
 */
const areas = [
  {
    name: 'layout/main-shell',
    files: ['main/index.ts', 'main/desktop/**/*.ts'],
    paths: [
      ...banOwned('jssip', 'better-sqlite3', 'sip.js'),
      ban('electron', 'ipcRenderer is a renderer API; main uses ipcMain.', { importNames: ['ipcRenderer'] }),
    ],
    patterns: [],
    extra: noIpcRendererOutsidePreload,
  },
  {
    // The desktop shell and its models run in plain Node (unit tests, the harness, the lab's hotkey
    // test); only the adapter files beside them (electron-*.ts, tray.ts, windows.ts, …) touch Electron.
    name: 'layout/main-desktop-plain',
    files: [
      'main/desktop/shell.ts',
      'main/desktop/hotkeys.ts',
      'main/desktop/hotkey-map.ts',
      'main/desktop/notifications.ts',
      'main/desktop/notification-policy.ts',
      'main/desktop/tray-model.ts',
      'main/desktop/launch-links.ts',
      'main/desktop/quit-guard.ts',
      'main/desktop/diagnostics.ts',
      'main/desktop/zip.ts',
      'main/desktop/sip-trace.ts',
    ],
    paths: [...banOwned('electron', 'jssip', 'better-sqlite3', 'sip.js')],
    patterns: [],
    extra: noIpcRendererOutsidePreload,
  },
  {
    name: 'layout/main-sip',
    files: ['main/sip/**/*.ts'],
    paths: banOwned('electron', 'better-sqlite3', 'sip.js'),
    patterns: [],
    extra: noIpcRendererOutsidePreload,
  },
  {
    name: 'layout/main-history',
    files: ['main/history/**/*.ts'],
    paths: banOwned('electron', 'jssip', 'sip.js'),
    patterns: [],
    extra: noIpcRendererOutsidePreload,
  },
  {
    name: 'layout/main-calls',
    files: ['main/calls/**/*.ts'],
    paths: [
      ...banOwned('electron', 'jssip', 'better-sqlite3', 'sip.js'),
      ban('ws', 'main/calls/ is pure: sockets live in main/sip/.'),
      ban('electron-log', 'main/calls/ is pure: take a Logger (main/logging/logger.ts) as a port.'),
    ],
    patterns: [
      nodeBan('main/calls/ is pure TypeScript: no Node I/O. Ask for it as an effect or an injected port.'),
      {
        regex: '(^|/)ipc(/|$)',
        message: 'main/calls/ learns about calls from the call service\'s own events, never from the UI channel: IPC is wired in main/ipc/ (docs/architecture.md).',
      },
      {
        group: ['**/preload/contract', '**/preload/contract/index'],
        importNames: ['contract'],
        message: 'main/calls/ pushes nothing to the UI: it returns snapshots, and main/core/ publishes them (docs/architecture.md).',
      },
    ],
    extra: {
      ...noIpcRendererOutsidePreload,
      // Time and timeouts are effects ({type:'timer.start'}) or an injected clock, so the
      // state machines replay deterministically in tests.
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate'].map(
          (name) => ({ name, message: 'main/calls/ has no timers: emit a timer effect instead.' }),
        ),
        { name: 'ipcRenderer', message: 'ipcRenderer exists only inside preload/.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'main/calls/ has no clock: take `now` as input.' },
        { object: 'performance', property: 'now', message: 'main/calls/ has no clock: take `now` as input.' },
        { property: 'ipcRenderer', message: 'ipcRenderer exists only inside preload/.' },
      ],
    },
  },
  {
    name: 'layout/main-other',
    files: ['main/**/*.ts'],
    ignores: ['main/index.ts', 'main/desktop/**', 'main/sip/**', 'main/history/**', 'main/calls/**', 'main/demo/sip/**'],
    paths: banOwned('electron', 'jssip', 'better-sqlite3', 'sip.js'),
    patterns: [],
    extra: noIpcRendererOutsidePreload,
  },
  {
    // The built-in demo's switchboard parses SIP with SIP.js; nothing else in main does.
    name: 'layout/main-demo-sip',
    files: ['main/demo/sip/**/*.ts'],
    paths: banOwned('electron', 'jssip', 'better-sqlite3'),
    patterns: [],
    extra: noIpcRendererOutsidePreload,
  },
  {
    name: 'layout/preload',
    files: ['preload/**/*.ts'],
    paths: banOwned('jssip', 'better-sqlite3', 'sip.js'),
    patterns: [
      nodeBan('A sandboxed preload cannot require Node built-ins (Electron sandbox: only a few electron modules).'),
      { group: ['**/main/**', '**/renderer/**'], message: 'preload/ depends on nothing but the contract and electron.' },
    ],
    extra: {
      'no-restricted-syntax': [
        'error',
        ...insecureWebPreferences,
        {
          selector: "CallExpression[callee.property.name='exposeInMainWorld'] Identifier[name='ipcRenderer']",
          message: 'Never hand ipcRenderer (or a function closing over it) to the page: expose one method per action.',
        },
        {
          selector:
            "CallExpression[callee.property.name='exposeInMainWorld'] Property[key.name=/^(invoke|send|sendSync|sendTo|postMessage)$/]",
          message: 'No generic invoke/send on the bridge: expose one method per action (docs/architecture.md).',
        },
      ],
    },
  },
  {
    name: 'layout/renderer-ui',
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    ignores: ['renderer/media/**', 'renderer/demo/**'],
    paths: rendererPaths,
    patterns: [
      nodeBan('The renderer is a sandboxed web page: no Node built-ins.'),
      {
        group: ['**/preload/contract', '**/preload/contract/**', '**/preload/ui-api'],
        allowTypeImports: true,
        message:
          'The renderer imports only types from the contract and ConsoleApi (`import type`); values arrive through window.consoleApi.',
      },
      {
        group: ['**/preload/ui', '**/preload/media', '**/main/**'],
        message: 'The renderer talks to main only through window.consoleApi.',
      },
    ],
    extra: noIpcRendererOutsidePreload,
  },
  {
    // The built-in demo's parties page: SIP.js user agents with WebRTC, talking to main over
    // its own small protocol (renderer/demo/protocol.ts); otherwise a sandboxed page like the UI.
    name: 'layout/renderer-demo',
    files: ['renderer/demo/**/*.ts'],
    paths: rendererPaths.filter((p) => p.name !== 'sip.js'),
    patterns: [
      nodeBan('The demo parties page is a sandboxed web page: no Node built-ins.'),
      { group: ['**/preload/**', '**/main/**'], message: 'The demo parties page talks to main only over its own channel (renderer/demo/protocol.ts).' },
    ],
    extra: noIpcRendererOutsidePreload,
  },
  {
    // The hidden media host speaks the media port protocol (main/media/protocol.ts) over
    // the one MessagePort preload/media.ts hands it. It may name the handshake channel
    // (preload/contract/media-port.ts: a dependency-free constant) and use the protocol's
    // types; the protocol's zod schemas stay in main, which validates what the host sends.
    name: 'layout/renderer-media',
    files: ['renderer/media/**/*.ts'],
    paths: rendererPaths,
    patterns: [
      nodeBan('The media host is a sandboxed web page: no Node built-ins.'),
      // Regular expressions, not gitignore groups: a group cannot re-include a file below a
      // matched directory, and these two exceptions are exactly such files.
      {
        regex: '(^|/)(preload/contract(/(?!media-port$)[^/]+)?|main/media/protocol)$',
        allowTypeImports: true,
        message: 'The media host imports only types from the contract and the media protocol (`import type`).',
      },
      {
        regex: '(^|/)(preload/(ui|ui-api|media)|main/(?!media/protocol$).+)$',
        message: 'The media host talks to main only over its MessagePort.',
      },
    ],
    extra: noIpcRendererOutsidePreload,
  },
];

const layoutConfigs = areas.map(({ name, files, ignores, paths, patterns, extra }) => ({
  name,
  files,
  ...(ignores ? { ignores } : {}),
  rules: {
    // The TypeScript variant of the rule: it sees `import type` and can allow it per pattern.
    'no-restricted-imports': 'off',
    '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }],
    'no-restricted-syntax': ['error', ...insecureWebPreferences],
    ...extra,
  },
}));

export default defineConfig(
  {
    name: 'ignores',
    ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'coverage/**', '.lab/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    name: 'languages',
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-restricted-syntax': ['error', ...insecureWebPreferences],
    },
  },
  {
    name: 'browser-globals',
    files: ['renderer/**', 'preload/**', '**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    name: 'svelte-typescript',
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    // Type-aware rules where they pay for themselves: promise misuse in the code that ships.
    name: 'type-aware',
    files: ['main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.svelte'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  {
    // Validation code matches control characters on purpose: CR/LF/NUL must never reach a
    // SIP header (RFC 3261 §25.1 forbids them there) or a search expression.
    name: 'control-characters',
    files: ['main/**/*.ts', 'preload/**/*.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  ...layoutConfigs,
  {
    name: 'tests',
    files: ['test/**'],
    rules: {
      // Tests may inspect anything, including deliberately broken payloads.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
