import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

// Three bundles: main (ESM, Node), two sandboxed preloads (CommonJS — a sandboxed
// preload cannot be an ES module), and two renderer pages (UI and media host).
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // The npm dependencies go into the bundle: Node then parses one file at start instead of
      // resolving and loading some hundreds under node_modules, and the process holds ~8 MB less
      // all day (docs/performance.md, "Footprint"). A dynamic import() stays a chunk of its own.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'main/index.ts') },
        // Native and Electron modules stay external; better-sqlite3 is rebuilt for Electron at packaging
        // time. ws's optional native helpers are not installed: it falls back to JavaScript without them.
        external: ['electron', 'better-sqlite3', 'bufferutil', 'utf-8-validate'],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require nothing but a few Electron built-ins: each entry must be one self-contained file.
      isolatedEntries: true,
      externalizeDeps: false,
      // Minified like the pages: the UI preload (the whole IPC contract with its schemas) is parsed on every window open.
      minify: true,
      rollupOptions: {
        input: {
          ui: resolve(import.meta.dirname, 'preload/ui.ts'),
          media: resolve(import.meta.dirname, 'preload/media.ts'),
        },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    plugins: [svelte()],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      // The pages ship minified: the UI bundle is loaded on every window open (budget in docs/testing.md).
      minify: true,
      rollupOptions: {
        input: {
          ui: resolve(import.meta.dirname, 'renderer/ui/index.html'),
          media: resolve(import.meta.dirname, 'renderer/media/index.html'),
          // The built-in demo's hidden parties page (docs/demo.md).
          demo: resolve(import.meta.dirname, 'renderer/demo/index.html'),
        },
      },
    },
  },
});
