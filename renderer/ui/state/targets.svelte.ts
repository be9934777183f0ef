import type { Preferences, TargetsView } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import { t } from '../i18n/index.svelte';
import { allEntries, favouriteEntries, recentEntries, sameAddress, searchTargets, type TargetEntry } from './target-search';

/**
 * The agent's transfer targets: the provider's view (targets:list, then every
 * targets:changed push), the starred addresses (preferences.workspace.favourites),
 * and the last distinct numbers from history (read-only). One search over all
 * of them serves the panel and the keyboard picker.
 */
export class TargetsModel {
  view = $state.raw<TargetsView | null>(null);
  favourites = $state.raw<readonly string[]>([]);
  recents = $state.raw<readonly TargetEntry[]>([]);
  query = $state('');
  /** Main's refusal of the last favourites change, worded for the agent. */
  error = $state<string | null>(null);

  readonly entries = $derived(allEntries(this.view, this.recents));
  readonly starred = $derived(favouriteEntries(this.favourites, this.entries));
  readonly results = $derived(this.search(this.query));

  constructor(private readonly api: ConsoleApi) {}

  /** Subscribes first, then reads; returns the unsubscribe. */
  start(): () => void {
    let pushed = false;
    const offTargets = this.api.targets.onChanged((v) => {
      pushed = true;
      this.view = v;
    });
    const offSettings = this.api.settings.onChanged((s) => this.takeFavourites(s.preferences));
    let callIds: string[] = [];
    // A call that ended is the newest recent number: read history again when one goes away.
    const offCalls = this.api.calls.onChanged((calls) => {
      const now = calls.map((c) => c.id);
      const ended = callIds.some((id) => !now.includes(id));
      callIds = now;
      if (ended) void this.loadRecents();
    });
    void this.api.targets.list().then((r) => {
      if (r.ok && !pushed) this.view = r.value;
    });
    void this.api.settings.get().then((r) => {
      if (r.ok) this.takeFavourites(r.value.preferences);
    });
    void this.loadRecents();
    return () => {
      offTargets();
      offSettings();
      offCalls();
    };
  }

  /** The same ranking the panel shows, over every entry, starred ones first among equals. */
  search(query: string): TargetEntry[] {
    return searchTargets(query, this.entries, { favourites: this.favourites });
  }

  isFavourite(address: string | null): boolean {
    return address !== null && this.favourites.some((f) => sameAddress(f, address));
  }

  /** Stars or un-stars an address; saved through settings:update, and put back as it was if main refuses. */
  async toggleFavourite(address: string): Promise<void> {
    const before = this.favourites;
    const next = this.isFavourite(address) ? before.filter((f) => !sameAddress(f, address)) : [...before, address];
    this.favourites = next;
    this.error = null;
    const r = await this.api.settings.update({ workspace: { favourites: [...next] } });
    if (r.ok) this.takeFavourites(r.value.preferences);
    else {
      this.favourites = before;
      this.error = t('targets.error.favourites', { message: r.fields?.['workspace.favourites'] ?? r.message });
    }
  }

  async loadRecents(): Promise<void> {
    const r = await this.api.history.page({ limit: 50 });
    if (r.ok) this.recents = recentEntries(r.value.items);
  }

  private takeFavourites(p: Preferences): void {
    this.favourites = p.workspace.favourites;
  }
}
