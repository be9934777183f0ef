/**
 * What the recording banner says, from main's recording status: nothing
 * while calls are recorded; while they are not, why (one sentence per cause),
 * what to do about it, how many calls wait and how many could not be kept;
 * and, for a short while after, that recording works again. Pure: the words
 * come from the catalogue, the status from main.
 */
import type { RecordingProblem, RecordingStatus } from '../../../preload/contract';
import { t, tn, type MessageKey } from '../i18n/index.svelte';

export type RecordingView =
  | { kind: 'none' }
  | { kind: 'problem'; problem: RecordingProblem; title: string; detail: string; waiting: string | null; lost: string | null }
  | { kind: 'back'; text: string };

/** A write-back the agent is being told about. */
export type WrittenBack = NonNullable<RecordingStatus['writtenBack']>;

const titles: Record<RecordingProblem, MessageKey> = {
  'disk-full': 'history.recording.title.disk-full',
  'read-only': 'history.recording.title.read-only',
  damaged: 'history.recording.title.damaged',
  'io-error': 'history.recording.title.io-error',
  busy: 'history.recording.title.busy',
  'cannot-open': 'history.recording.title.cannot-open',
  'too-new': 'history.recording.title.too-new',
  unknown: 'history.recording.title.unknown',
};
const details: Record<RecordingProblem, MessageKey> = {
  'disk-full': 'history.recording.detail.disk-full',
  'read-only': 'history.recording.detail.read-only',
  damaged: 'history.recording.detail.damaged',
  'io-error': 'history.recording.detail.io-error',
  busy: 'history.recording.detail.busy',
  'cannot-open': 'history.recording.detail.cannot-open',
  'too-new': 'history.recording.detail.too-new',
  unknown: 'history.recording.detail.unknown',
};

/**
 * `confirming`: a write-back to tell the agent about now (the model shows it
 * a short while); null otherwise. A problem always wins: it stays on screen
 * as long as it lasts.
 */
export function describeRecording(status: RecordingStatus | null, confirming: WrittenBack | 'back' | null): RecordingView {
  if (status && status.state === 'waiting') {
    const problem = status.problem ?? 'unknown';
    const lost = status.lost.calls > 0 ? tn('history.recording.lost', status.lost.calls) : null;
    return {
      kind: 'problem',
      problem,
      title: t(titles[problem]),
      detail: t(details[problem], { folder: status.folder, file: status.file, message: status.message ?? '' }),
      waiting: status.waitingCalls > 0 ? tn('history.recording.waiting', status.waitingCalls) : null,
      lost,
    };
  }
  if (confirming === null) return { kind: 'none' };
  if (confirming === 'back' || confirming.calls === 0) return { kind: 'back', text: t('history.recording.back') };
  return { kind: 'back', text: tn('history.recording.back', confirming.calls) };
}
