/**
 * The recording banner: while main says calls are not being recorded, the
 * agent sees why, what to do and how many calls wait — as an alert that
 * cannot be dismissed while it lasts — in English and German; when main
 * wrote the kept calls, "Recording again: 3 calls written" for a short while.
 * The whole window shows it under the header from the pushed status, and a
 * search on a damaged history says so instead of "no calls match".
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import axe from 'axe-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordingProblem, RecordingStatus } from '../../../preload/contract';
import App from '../../../renderer/ui/App.svelte';
import HistoryView from '../../../renderer/ui/components/history/HistoryView.svelte';
import RecordingStatusBar from '../../../renderer/ui/components/RecordingStatus.svelte';
import { locale } from '../../../renderer/ui/i18n/index.svelte';
import { HistoryModel } from '../../../renderer/ui/state/history.svelte';
import { RecordingModel } from '../../../renderer/ui/state/recording.svelte';
import { describeRecording } from '../../../renderer/ui/state/recording-view';
import { fakeConsoleApi, settle } from '../../support/console-api';
import { manualPaintClock } from '../../support/paint-clock';
import { fakeHistoryApi } from './history-fake';

const recording: RecordingStatus = {
  state: 'recording',
  problem: null,
  message: null,
  file: '/home/ada/.config/Agent Console/history.sqlite3',
  folder: '/home/ada/.config/Agent Console',
  since: null,
  waitingEvents: 0,
  waitingCalls: 0,
  capacity: 10_000,
  lost: { events: 0, calls: 0 },
  writtenBack: null,
  setAside: null,
};
const waiting = (problem: RecordingProblem, over: Partial<RecordingStatus> = {}): RecordingStatus => ({
  ...recording,
  state: 'waiting',
  problem,
  message: 'main says why',
  since: 1_000,
  ...over,
});

afterEach(() => {
  locale.choice = 'en';
});

describe('what the banner says', () => {
  it.each([
    ['disk-full', 'Calls are not being recorded: the disk is full.', 'Free some space on the disk that holds /home/ada/.config/Agent Console'],
    ['read-only', 'Calls are not being recorded: the history cannot be written.', 'Give your user account write access'],
    ['damaged', 'Calls are not being recorded: the history file is damaged.', 'could not move /home/ada/.config/Agent Console/history.sqlite3 aside'],
    ['io-error', 'Calls are not being recorded: the disk reports errors.', 'Check the disk or network drive'],
    ['busy', 'Calls are not being recorded: another program is using the history.', 'Close other programs'],
    ['cannot-open', 'Calls are not being recorded: the history cannot be opened.', 'Check that the folder /home/ada/.config/Agent Console exists'],
    ['too-new', 'Calls are not being recorded: the history comes from a newer version of the console.', 'Update the console'],
    ['unknown', 'Calls are not being recorded.', 'main says why'],
  ] as const)('%s: one sentence for the cause, and what to do', (problem, title, todo) => {
    const view = describeRecording(waiting(problem), null);
    expect(view).toMatchObject({ kind: 'problem', problem, title });
    expect(view.kind === 'problem' && view.detail).toContain(todo);
  });

  it('counts the calls waiting and those that could not be kept', () => {
    expect(describeRecording(waiting('disk-full', { waitingCalls: 1 }), null)).toMatchObject({ waiting: '1 call is waiting to be written.', lost: null });
    expect(describeRecording(waiting('disk-full', { waitingCalls: 3, lost: { events: 9, calls: 2 } }), null)).toMatchObject({
      waiting: '3 calls are waiting to be written.',
      lost: '2 calls could not be kept: the memory for unrecorded calls is full.',
    });
  });

  it('is silent while calls are recorded, says "recording again" only when asked to, and a problem always wins', () => {
    expect(describeRecording(null, null)).toEqual({ kind: 'none' });
    expect(describeRecording(recording, null)).toEqual({ kind: 'none' });
    expect(describeRecording(recording, { calls: 3, events: 11, at: 5 })).toEqual({ kind: 'back', text: 'Recording again: 3 calls written.' });
    expect(describeRecording(recording, { calls: 1, events: 2, at: 5 })).toEqual({ kind: 'back', text: 'Recording again: 1 call written.' });
    expect(describeRecording(recording, 'back')).toEqual({ kind: 'back', text: 'Recording again.' });
    expect(describeRecording(waiting('read-only'), 'back').kind).toBe('problem');
  });

  it('speaks German', () => {
    locale.choice = 'de';
    expect(describeRecording(waiting('disk-full', { waitingCalls: 2 }), null)).toMatchObject({
      title: 'Anrufe werden nicht aufgezeichnet: Der Datenträger ist voll.',
      waiting: '2 Anrufe warten darauf, geschrieben zu werden.',
    });
    expect(describeRecording(recording, { calls: 3, events: 4, at: 1 })).toMatchObject({ text: 'Anrufe werden wieder aufgezeichnet: 3 Anrufe geschrieben.' });
  });
});

describe('RecordingModel', () => {
  function setup(initial: RecordingStatus) {
    const fake = fakeConsoleApi({ answers: { 'history:recording': () => ({ ok: true, value: initial }) } });
    let fire: (() => void) | null = null;
    const model = new RecordingModel(fake.api, {
      confirmMs: 10_000,
      setTimeout: (fn) => {
        fire = fn;
        return 1;
      },
      clearTimeout: () => {
        fire = null;
      },
    });
    const stop = model.start();
    return { fake, model, stop, elapse: () => fire?.() };
  }

  it('reads the status at start and follows every push; a problem cannot be dismissed', async () => {
    const { fake, model, stop } = setup(waiting('read-only'));
    await settle();
    expect(model.view).toMatchObject({ kind: 'problem', problem: 'read-only' });
    await fake.emit('history:recording-changed', waiting('read-only', { waitingCalls: 2 }));
    expect(model.view).toMatchObject({ waiting: '2 calls are waiting to be written.' });
    model.dismiss();
    expect(model.view.kind).toBe('problem');
    stop();
    expect(fake.listeners('history:recording-changed')).toBe(0);
  });

  it('says "recording again" with what was written, for a short while or until dismissed', async () => {
    const { fake, model, elapse } = setup(recording);
    await settle();
    expect(model.view).toEqual({ kind: 'none' });
    await fake.emit('history:recording-changed', waiting('disk-full', { waitingCalls: 3 }));
    await fake.emit('history:recording-changed', { ...recording, writtenBack: { calls: 3, events: 12, at: 9_000 } });
    expect(model.view).toEqual({ kind: 'back', text: 'Recording again: 3 calls written.' });
    elapse();
    expect(model.view).toEqual({ kind: 'none' });

    await fake.emit('history:recording-changed', waiting('disk-full'));
    await fake.emit('history:recording-changed', { ...recording, writtenBack: { calls: 1, events: 3, at: 12_000 } });
    expect(model.view.kind).toBe('back');
    model.dismiss();
    expect(model.view).toEqual({ kind: 'none' });
  });

  it('a window opened after the pause does not confirm an old write-back', async () => {
    const { model } = setup({ ...recording, writtenBack: { calls: 3, events: 12, at: 9_000 } });
    await settle();
    expect(model.view).toEqual({ kind: 'none' });
  });
});

describe('<RecordingStatus>', () => {
  async function noViolations(container: HTMLElement) {
    const result = await axe.run(container, { rules: { 'color-contrast': { enabled: false }, region: { enabled: false } } });
    expect(result.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }

  it('a problem is an alert with the cause, what to do and the waiting calls — and no way to dismiss it', async () => {
    const { container } = render(RecordingStatusBar, { view: describeRecording(waiting('disk-full', { waitingCalls: 2 }), null), ondismiss: () => {} });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Calls are not being recorded: the disk is full.');
    expect(alert.textContent).toContain('Free some space');
    expect(alert.textContent).toContain('2 calls are waiting to be written.');
    expect(screen.queryByRole('button')).toBeNull();
    await noViolations(container);
  });

  it('"recording again" is a polite status with a dismiss button that names it', async () => {
    let dismissed = 0;
    const { container } = render(RecordingStatusBar, { view: describeRecording(recording, { calls: 3, events: 9, at: 1 }), ondismiss: () => dismissed++ });
    const status = screen.getByRole('status');
    expect(status.textContent).toContain('Recording again: 3 calls written.');
    await fireEvent.click(within(status).getByRole('button', { name: 'Dismiss: Recording again: 3 calls written.' }));
    expect(dismissed).toBe(1);
    await noViolations(container);
  });

  it('while calls are recorded, it shows nothing but keeps its status region ready to announce', () => {
    render(RecordingStatusBar, { view: { kind: 'none' }, ondismiss: () => {} });
    expect(screen.getByRole('status').textContent?.trim()).toBe('');
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('the window', () => {
  it('shows the banner under the header as soon as main pushes that calls are not recorded, and clears it when they are', async () => {
    const fake = fakeConsoleApi({ answers: { 'history:recording': () => ({ ok: true, value: recording }) } });
    render(App, { api: fake.api });
    await settle();
    const banner = () => screen.getByTestId('recording-status');
    expect(within(banner()).queryByRole('alert')).toBeNull();
    await fake.emit('history:recording-changed', waiting('disk-full', { waitingCalls: 1 }));
    const alert = within(banner()).getByRole('alert');
    expect(alert.textContent).toContain('Calls are not being recorded: the disk is full.');
    // Right under the header, before the content: seen from every view.
    const header = document.querySelector('header.app-header')!;
    expect(header.compareDocumentPosition(alert) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await fake.emit('history:recording-changed', { ...recording, writtenBack: { calls: 1, events: 4, at: 2 } });
    expect(within(banner()).queryByRole('alert')).toBeNull();
    expect(banner().textContent).toContain('Recording again: 1 call written.');
  });
});

describe('history screen on a damaged history', () => {
  it('a search main refuses as damaged says the history cannot be read, in main\'s words — not "no calls match"', async () => {
    const message =
      'The call history file was damaged (SQLITE_CORRUPT), so this could not be read. It was kept as /d/history-damaged-x.sqlite3 (nothing was deleted) and a new, empty history was started; calls are recorded there from now on.';
    const fake = fakeHistoryApi(5, { 'history:search': () => ({ ok: false, code: 'storage', message }) });
    const model = new HistoryModel(fake.api, { typingQuietMs: 0 });
    const stop = model.start();
    render(HistoryView, { props: { model, oncallback: () => {} } });
    await settle();
    model.type('2025550134');
    await settle();
    expect(model.status).toBe('error');
    expect(screen.getByText('The call history cannot be read')).toBeTruthy();
    expect(screen.getByText((text) => text.includes('It was kept as /d/history-damaged-x.sqlite3'))).toBeTruthy();
    expect(screen.queryByText(/No calls match/)).toBeNull();
    stop();
  });

  it('a push with fewer calls than the window has seen (a new file) reloads the list', async () => {
    const fake = fakeHistoryApi(5);
    const paintClock = manualPaintClock();
    const model = new HistoryModel(fake.api, { typingQuietMs: 0, paintClock });
    const stop = model.start();
    await settle();
    const asked = fake.pageRequests.length;
    await fake.emit('history:changed', { missed: { unseen: 0, seenThrough: 0 }, latestId: 1 });
    paintClock.paint();
    expect(fake.pageRequests.length).toBeGreaterThan(asked);
    stop();
  });
});
