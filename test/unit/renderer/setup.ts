import { cleanup } from '@testing-library/svelte';
import { afterEach, beforeAll } from 'vitest';
import { historyView, settingsView } from '../../../renderer/ui/components/views/lazy-views.svelte';

// In the app the history and settings views are chunks loaded on first use; tests render them at once.
beforeAll(async () => {
  await Promise.all([historyView.get(), settingsView.get()]);
});
afterEach(() => cleanup());
