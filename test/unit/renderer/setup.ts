import { cleanup } from '@testing-library/svelte';
import { afterEach, beforeAll } from 'vitest';
import { historyView, settingsView } from '../../../renderer/ui/components/views/lazy-views.svelte';
import { locale } from '../../../renderer/ui/i18n/index.svelte';

// In the app the history and settings views, and German, are chunks loaded on first use; tests have them at once,
// so a test may switch `locale.choice` and read German on the next line. How loading behaves: language-loading.test.ts.
beforeAll(async () => {
  locale.choice = 'de';
  const [, , german] = await Promise.all([historyView.get(), settingsView.get(), locale.ready()]);
  const failure = locale.failure;
  locale.choice = 'system';
  if (!german) throw failure ?? new Error('the German catalogue did not load');
});
afterEach(() => cleanup());
