/**
 * Views the agent does not need when the console opens — history and
 * settings — are separate chunks, loaded the first time they are shown, so
 * the page the window loads at start is only the workspace (the bundle
 * budget, docs/testing.md#bundle-budget). Once the workspace is up and the
 * page is idle they are fetched ahead, so opening either view does not wait
 * for its code.
 */
import type { Component } from 'svelte';

/** A component whose code is loaded on first use; `current` is null until it is there. */
export class LazyComponent<C extends Component<never>> {
  current = $state.raw<C | null>(null);
  #loading: Promise<C> | null = null;

  constructor(private readonly load: () => Promise<{ default: C }>) {}

  /** Starts loading (once) and resolves with the component; a failed load is tried again next time. */
  get(): Promise<C> {
    this.#loading ??= this.load().then(
      (module) => (this.current = module.default),
      (error: unknown) => {
        this.#loading = null;
        throw error;
      },
    );
    return this.#loading;
  }
}

export const historyView = new LazyComponent(() => import('../history/HistoryView.svelte'));
export const settingsView = new LazyComponent(() => import('../settings/SettingsView.svelte'));

/**
 * Fetches both views once the page has been idle after start-up (a local file: a few ms each).
 * Returns the cancel, for a window closed before then.
 */
export function prefetchViews(delayMs = 1000): () => void {
  const prefetch = () => {
    for (const view of [historyView, settingsView]) view.get().catch((e: unknown) => console.warn('a view could not be loaded ahead', e));
  };
  let idle: number | null = null;
  const timer = setTimeout(() => {
    idle = typeof requestIdleCallback === 'function' ? requestIdleCallback(prefetch, { timeout: 5000 }) : (prefetch(), null);
  }, delayMs);
  return () => {
    clearTimeout(timer);
    if (idle !== null) cancelIdleCallback(idle);
  };
}
