/**
 * The detail of a call: its timeline in time order (holds with what the
 * caller heard, transfers with their steps and SIP reasons), and editing the
 * note and disposition in place — main's refusal shown under the field, an
 * unsaved note kept when the view goes away and comes back.
 */
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import HistoryView from '../../../renderer/ui/components/history/HistoryView.svelte';
import { buildTimeline } from '../../../renderer/ui/state/history-describe';
import { HistoryModel } from '../../../renderer/ui/state/history.svelte';
import { settle } from '../../support/console-api';
import { detailOf, fakeHistoryApi, summary, T0 } from './history-fake';

describe('buildTimeline', () => {
  it('puts ringing, answer, holds, each transfer with its steps, and the end in time order', () => {
    const call = summary(5, {
      ringingAt: T0,
      answeredAt: T0 + 3_000,
      endedAt: T0 + 90_000,
      outcome: 'transferred',
      transferTarget: 'sip:sales@pbx',
      transferred: true,
      endedBy: 'agent',
    });
    const entries = buildTimeline(
      detailOf(call, {
        holds: [{ startedAt: T0 + 10_000, endedAt: T0 + 25_000, heard: 'music', music: 'builtin:lounge' }],
        transfers: [
          { transferId: 'b', step: 'requested', mode: 'blind', target: 'sip:sales@pbx', sipCode: null, detail: null, at: T0 + 60_000 },
          { transferId: 'a', step: 'requested', mode: 'attended', target: 'sip:2002@pbx', sipCode: null, detail: null, at: T0 + 30_000 },
          { transferId: 'a', step: 'failed', mode: 'attended', target: 'sip:2002@pbx', sipCode: 486, detail: 'Busy Here', at: T0 + 33_000 },
          { transferId: 'b', step: 'completed', mode: 'blind', target: 'sip:sales@pbx', sipCode: 200, detail: null, at: T0 + 61_000 },
        ],
      }),
    );
    expect(entries.map((e) => e.text)).toEqual([
      'Ringing',
      'Answered',
      'On hold for 15 seconds; the caller heard music (builtin:lounge)',
      'Attended transfer to 2002@pbx',
      'Blind transfer to sales@pbx',
      'Ended: Transferred to sales@pbx',
    ]);
    const attended = entries[3]!;
    expect(attended.kind === 'transfer' && attended.steps).toEqual([
      { at: T0 + 30_000, text: 'Requested', sip: null },
      { at: T0 + 33_000, text: 'Failed', sip: 'SIP 486 Busy Here' },
    ]);
    expect(entries.at(-1)).toMatchObject({ kind: 'end', detail: 'you hung up' });
  });

  it('says a call placed by the agent was placed, and a hold still open at the end has no duration', () => {
    const call = summary(6, { direction: 'outgoing', startedAt: T0, answeredAt: null, endedAt: T0 + 10_000, durationMs: null, outcome: 'busy', sipCode: 486, sipReason: 'Busy Here' });
    const entries = buildTimeline(detailOf(call, { holds: [{ startedAt: T0 + 1, endedAt: null, heard: 'you', music: null }] }));
    expect(entries.map((e) => e.text)).toEqual(['Call placed', 'On hold; the caller heard you', 'Ended: Busy']);
    expect(entries.at(-1)).toMatchObject({ detail: 'the other side hung up · SIP 486 Busy Here' });
  });
});

describe('note and disposition editing', () => {
  async function opened(answers = {}) {
    const fake = fakeHistoryApi(3, answers);
    const model = new HistoryModel(fake.api, { typingQuietMs: 0 });
    model.start();
    const oncallback = vi.fn();
    const r = render(HistoryView, { props: { model, oncallback } });
    await settle();
    await model.detail.open(2);
    await settle();
    return { fake, model, oncallback, ...r };
  }

  it("shows main's refusal under the note and keeps the text; a saved note lands in the list and clears the field", async () => {
    let refuse = true;
    const { fake, model } = await opened({
      'history:note': ({ id, text }: { id: number; text: string }) =>
        refuse
          ? { ok: false, code: 'invalid-request', message: 'text: Too big: expected string to have <=4000 characters', fields: { text: 'Too big: expected string to have <=4000 characters' } }
          : { ok: true, value: detailOf(summary(id, { noteCount: 1 }), { notes: [{ id: 1, text, at: T0 }] }) },
    });
    const note = screen.getByLabelText('Add a note') as HTMLTextAreaElement;
    await fireEvent.input(note, { target: { value: 'x'.repeat(10) } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save note' }));
    await settle();
    expect(screen.getByRole('alert').textContent).toBe('Too big: expected string to have <=4000 characters');
    expect(note.getAttribute('aria-invalid')).toBe('true');
    expect(note.getAttribute('aria-describedby')).toBe('history-note-error');
    expect(note.value).toBe('x'.repeat(10));

    refuse = false;
    await fireEvent.input(note, { target: { value: 'Wants a refund' } });
    expect(screen.queryByRole('alert')).toBeNull(); // typing clears the old refusal
    await fireEvent.click(screen.getByRole('button', { name: 'Save note' }));
    await settle();
    expect(fake.raw.history.addNote).toHaveBeenLastCalledWith({ id: 2, text: 'Wants a refund' });
    expect(screen.getByText('Wants a refund')).toBeTruthy();
    expect((screen.getByLabelText('Add a note') as HTMLTextAreaElement).value).toBe('');
    // The row in the list follows (its note count).
    expect(model.row(1)?.noteCount).toBe(1);
  });

  it('keeps an unsaved note and disposition when the view goes away and comes back', async () => {
    const { model, unmount } = await opened();
    await fireEvent.input(screen.getByLabelText('Add a note'), { target: { value: 'Call back after 3pm' } });
    await fireEvent.input(screen.getByLabelText('Disposition'), { target: { value: 'callback' } });
    expect(screen.getByText(/Not saved yet/)).toBeTruthy();
    unmount();
    render(HistoryView, { props: { model, oncallback: vi.fn() } });
    await settle();
    expect((screen.getByLabelText('Add a note') as HTMLTextAreaElement).value).toBe('Call back after 3pm');
    expect((screen.getByLabelText('Disposition') as HTMLInputElement).value).toBe('callback');
  });

  it("shows main's refusal of a disposition code under its field; Clear sends null", async () => {
    const { fake } = await opened({
      'history:disposition': ({ id, code }: { id: number; code: string | null }) =>
        code === 'bad*code'
          ? { ok: false, code: 'invalid-request', message: 'code: A disposition code is 1–64 letters, digits, spaces or _ . - /', fields: { code: 'A disposition code is 1–64 letters, digits, spaces or _ . - /' } }
          : { ok: true, value: detailOf(summary(id, { disposition: code })) },
    });
    const field = screen.getByLabelText('Disposition') as HTMLInputElement;
    await fireEvent.input(field, { target: { value: 'bad*code' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save disposition' }));
    await settle();
    expect(document.getElementById('history-disposition-error')?.textContent).toBe('A disposition code is 1–64 letters, digits, spaces or _ . - /');
    await fireEvent.input(field, { target: { value: 'resolved' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save disposition' }));
    await settle();
    expect(fake.raw.history.setDisposition).toHaveBeenLastCalledWith({ id: 2, code: 'resolved' });
    await fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await settle();
    expect(fake.raw.history.setDisposition).toHaveBeenLastCalledWith({ id: 2, code: null });
  });
});
