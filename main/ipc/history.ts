/**
 * The history channels. Payloads arrive already parsed by the router against
 * preload/contract/history.ts; the repository turns every failure into a
 * ConsoleError, which the router hands to the UI as `{ok:false, code}`.
 *
 * Pushes: `history:changed` after the recorder wrote a call's start or end
 * (coalesced to one push per turn of the event loop, so a burst of events
 * costs one count), and `history:export-progress` while an export runs.
 */
import { ConsoleError, contract } from '../../preload/contract';
import type { HistoryRepository } from '../history/repository';
import type { Router } from './router';

/** What the handlers need; HistoryRepository provides it. */
export type HistoryQueries = Pick<
  HistoryRepository,
  'page' | 'search' | 'get' | 'addNote' | 'setDisposition' | 'exportCsv' | 'missedCalls' | 'markMissedSeen' | 'latestId' | 'onChange'
>;

export interface HistoryHandlerOptions {
  /**
   * The system's save dialog (main/desktop), given a suggested file name:
   * the chosen absolute path, or null when the agent cancelled. Absent (the
   * harness, tests): exports go to a new file in the export folder.
   */
  chooseExportFile?: (suggestedName: string) => Promise<string | null>;
  /** Defers a push to the next turn (tests may pass a synchronous one). */
  defer?: (fn: () => void) => void;
}

/**
 * Registers history:page/search/get/note/disposition/export/missed/mark-seen
 * and the pushes. With `repo` null (the database could not be opened) every
 * channel answers `unavailable` with `reason`, so the UI can say why instead
 * of hanging. Returns the removal of the change listener.
 */
export function registerHistoryHandlers(
  router: Router,
  repo: HistoryQueries | null,
  reason = 'The call history is not available.',
  options: HistoryHandlerOptions = {},
): () => void {
  const use = (): HistoryQueries => {
    if (!repo) throw new ConsoleError('unavailable', reason);
    return repo;
  };
  const h = contract.history;
  router.handle(h.page, (input) => use().page(input));
  router.handle(h.search, (input) => use().search(input));
  router.handle(h.get, (id) => use().get(id));
  router.handle(h.note, ({ id, text }) => use().addNote(id, text));
  router.handle(h.disposition, ({ id, code }) => use().setDisposition(id, code));
  router.handle(h.missed, () => use().missedCalls());
  router.handle(h.markSeen, ({ throughId }) => use().markMissedSeen(throughId));

  let exporting = false;
  router.handle(h.export, async (input) => {
    const history = use();
    if (exporting) throw new ConsoleError('busy', 'An export is already running; wait for it to finish.');
    exporting = true;
    try {
      let path: string | undefined;
      if (options.chooseExportFile) {
        const chosen = await options.chooseExportFile(`call-history-${new Date().toISOString().slice(0, 10)}.csv`);
        if (chosen === null) return { cancelled: true as const };
        path = chosen;
      }
      return await history.exportCsv({
        ...input,
        ...(path !== undefined && { path }),
        onProgress: (progress) => router.push(h.exportProgress, progress),
      });
    } finally {
      exporting = false;
    }
  });

  if (!repo) return () => {};
  const defer = options.defer ?? ((fn) => void setTimeout(fn, 0));
  let pending = false;
  return repo.onChange(() => {
    if (pending) return;
    pending = true;
    defer(() => {
      pending = false;
      try {
        router.push(h.changed, { missed: repo.missedCalls(), latestId: repo.latestId() });
      } catch {
        // The history closed meanwhile (the console is stopping): nothing to tell.
      }
    });
  });
}
