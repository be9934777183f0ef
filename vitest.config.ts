import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
// Unit tests never load the real Electron (its binary may not exist): `electron` is a mock.
const electronMock = { electron: resolve(root, 'test/mocks/electron.ts') };

export default defineConfig({
  test: {
    reporters: ['default', ['junit', { outputFile: 'test-results/junit.xml', suiteName: 'agent-console' }]],
    projects: [
      {
        resolve: { alias: electronMock },
        test: { name: 'unit', environment: 'node', include: ['test/unit/main/**/*.test.ts', 'test/unit/preload/**/*.test.ts'] },
      },
      {
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['test/unit/renderer/**/*.test.ts'],
          setupFiles: ['test/unit/renderer/setup.ts'],
          // A whole settings view renders in ~0.5 s alone; on a 2-core machine running the lab beside
          // it, 5 s was not always enough. A budget, not a measurement (those are benchmarks).
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias: electronMock },
        test: { name: 'integration', environment: 'node', include: ['test/integration/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        test: {
          name: 'media',
          environment: 'node',
          include: ['test/media/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: { name: 'ui', environment: 'node', include: ['test/ui/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        test: {
          name: 'lab',
          environment: 'node',
          include: ['test/lab/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One lab at a time: Kamailio ports and Chromium peers are shared per file.
          fileParallelism: false,
        },
      },
      {
        test: { name: 'electron', environment: 'node', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000 },
      },
      {
        // The built-in demo end to end: the harness (core in Node, UI, media host and the demo's parties page in Chromium); no Kamailio.
        test: {
          name: 'demo',
          environment: 'node',
          include: ['test/demo/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
