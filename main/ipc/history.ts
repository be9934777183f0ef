/**
 * The history channels. Payloads arrive already parsed by the router against
 * preload/contract/history.ts; the repository turns every failure into a
 * ConsoleError, which the router hands to the UI as `{ok:false, code}`.
 */
import { ConsoleError, contract } from '../../preload/contract';
import type { HistoryRepository } from '../history/repository';
import type { Router } from './router';

/** What the handlers need; HistoryRepository provides it. */
export type HistoryQueries = Pick<HistoryRepository, 'page' | 'search' | 'get' | 'addNote' | 'setDisposition' | 'exportCsv'>;

/**
 * Registers history:page/search/get/note/disposition/export. With `repo`
 * null (the database could not be opened) every channel answers
 * `unavailable` with `reason`, so the UI can say why instead of hanging.
 */
export function registerHistoryHandlers(router: Router, repo: HistoryQueries | null, reason = 'The call history is not available.'): void {
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
  router.handle(h.export, (input) => use().exportCsv(input));
}
