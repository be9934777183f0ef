/**
 * The targets panel (renderer/ui/components/targets/TargetsPanel.svelte):
 * queues with live figures or "—", colleagues with presence in words,
 * favourites kept through settings:update, recent numbers from history, the
 * provider's state said plainly, and one search that finds names and turns a
 * bare number into a target.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { CallSummary, SettingsView, TargetsView } from '../../../preload/contract';
import TargetsPanel from '../../../renderer/ui/components/targets/TargetsPanel.svelte';
import { DragModel } from '../../../renderer/ui/state/drag.svelte';
import { TargetsModel } from '../../../renderer/ui/state/targets.svelte';
import { TransferModel } from '../../../renderer/ui/state/transfer.svelte';
import { basePreferences, fakeConsoleApi, settle, type Answer } from '../../support/console-api';

const view: TargetsView = {
  provider: 'sip',
  state: 'live',
  reason: null,
  queues: [
    { id: 'q1', name: 'Support', address: '2000', waiting: 3, longestWaitSec: 95, availableAgents: 2 },
    { id: 'q2', name: 'Billing', address: null, waiting: null, longestWaitSec: null, availableAgents: null },
  ],
  colleagues: [
    { id: 'a1', name: 'Anna Schmidt', address: '2002', presence: 'busy' },
    { id: 'a2', name: 'Ben Ott', address: '2003', presence: 'available' },
  ],
  agentStatus: null,
  updatedAt: 1,
};

const recent: CallSummary = {
  id: 1,
  callId: 'old',
  direction: 'incoming',
  localLine: 'sip:1001@pbx.test',
  remote: { number: '+49 30 1234', uri: null, displayName: 'Kunde Meier' },
  queue: null,
  startedAt: 5,
  ringingAt: null,
  answeredAt: 6,
  endedAt: 9,
  durationMs: 3,
  outcome: 'answered',
  sipCode: null,
  sipReason: null,
  endedBy: 'remote',
  transferred: false,
  transferTarget: null,
  held: false,
  disposition: null,
  noteCount: 0,
};

async function panel(options: { view?: TargetsView; favourites?: string[]; answers?: Record<string, Answer> } = {}) {
  const preferences: SettingsView['preferences'] = { ...basePreferences, workspace: { dropAction: 'ask', favourites: options.favourites ?? [] } };
  const fake = fakeConsoleApi({
    preferences,
    answers: {
      'targets:list': () => ({ ok: true, value: options.view ?? view }),
      'history:page': () => ({ ok: true, value: { items: [recent], nextCursor: null } }),
      'transfer:list': () => ({ ok: true, value: [] }),
      ...options.answers,
    },
  });
  const targets = new TargetsModel(fake.api);
  const transfers = new TransferModel(fake.api);
  const drag = new DragModel(fake.api, transfers);
  const stops = [targets.start(), transfers.start(), drag.start()];
  render(TargetsPanel, { target: document.body.appendChild(document.createElement('aside')), props: { targets, transfers, drag } });
  await settle();
  return { fake, targets, stop: () => stops.forEach((s) => s()) };
}

const section = (name: string) => screen.getByRole('group', { name });
const rowOf = (name: string) => screen.getAllByText(name, { selector: '.name' })[0].closest('li')!;

describe('TargetsPanel', () => {
  it('lists queues with their figures, colleagues with presence in words, and recent numbers', async () => {
    const { stop, fake } = await panel();
    expect(screen.getByText('Live figures')).toBeTruthy();
    const support = rowOf('Support');
    expect(within(support).getByText('Waiting').nextElementSibling?.textContent).toBe('3');
    expect(within(support).getByText('Longest wait').nextElementSibling?.textContent?.trim()).toBe('1:35');
    expect(within(support).getByText('Agents free').nextElementSibling?.textContent).toBe('2');
    expect(within(rowOf('Billing')).getByText('No address — can’t take transfers')).toBeTruthy();
    expect(within(rowOf('Anna Schmidt')).getByText('Busy')).toBeTruthy();
    expect(within(rowOf('Ben Ott')).getByText('Available')).toBeTruthy();
    expect(within(section('Recent numbers')).getByText('Kunde Meier')).toBeTruthy();
    expect(within(section('Recent numbers')).getByText('+49 30 1234')).toBeTruthy();
    expect(within(section('Favourites')).getByText('Star a target to keep it here.')).toBeTruthy();
    stop();
    expect(fake.listeners('targets:changed') + fake.listeners('settings:changed') + fake.listeners('calls:changed') + fake.listeners('transfer:changed')).toBe(0);
  });

  it('shows "—" where a configured queue has no figures, and follows targets:changed', async () => {
    const { fake } = await panel({ view: { ...view, state: 'configured', queues: [{ ...view.queues[0], waiting: null, longestWaitSec: null, availableAgents: null }] } });
    expect(screen.getByText('Configured list — no live figures')).toBeTruthy();
    expect([...rowOf('Support').querySelectorAll('dd')].map((d) => d.textContent?.trim())).toEqual(['—', '—', '—']);
    await fake.emit('targets:changed', { ...view, state: 'failed', reason: 'the platform refused the login' });
    expect(screen.getByText('Targets provider unavailable: the platform refused the login. Showing the configured list.')).toBeTruthy();
    await fake.emit('targets:changed', { ...view, state: 'connecting' });
    expect(screen.getByText('Connecting to the targets provider…')).toBeTruthy();
  });

  it('stars a target into preferences.workspace.favourites and lists it under Favourites', async () => {
    const { fake } = await panel({ favourites: ['4711'] });
    expect(within(section('Favourites')).getByText('4711')).toBeTruthy();
    const star = within(rowOf('Ben Ott')).getByRole('button', { name: 'Favourite: Ben Ott' });
    expect(star.getAttribute('aria-pressed')).toBe('false');
    await fireEvent.click(star);
    await settle();
    expect(fake.raw.settings.update).toHaveBeenLastCalledWith({ workspace: { favourites: ['4711', '2003'] } });
    expect(fake.settings.preferences.workspace.favourites).toEqual(['4711', '2003']);
    expect(within(section('Favourites')).getByText('Ben Ott')).toBeTruthy();
    const starred = within(section('Favourites')).getByRole('button', { name: 'Favourite: Ben Ott' });
    expect(starred.getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(starred);
    await settle();
    expect(fake.raw.settings.update).toHaveBeenLastCalledWith({ workspace: { favourites: ['4711'] } });
    expect(within(section('Favourites')).queryByText('Ben Ott')).toBeNull();
  });

  it('puts the favourites back and says why when main refuses them', async () => {
    await panel({
      answers: { 'settings:update': () => ({ ok: false, code: 'invalid-request', message: 'bad', fields: { 'workspace.favourites': 'At most 100 favourites' } }) },
    });
    await fireEvent.click(within(rowOf('Ben Ott')).getByRole('button', { name: 'Favourite: Ben Ott' }));
    await settle();
    expect(screen.getByRole('alert').textContent).toBe('Favourites not saved: At most 100 favourites');
    expect(within(section('Favourites')).queryByText('Ben Ott')).toBeNull();
  });

  it('searches names without any number error, and turns a bare number into a target', async () => {
    await panel();
    const search = screen.getByLabelText('Find a target');
    await fireEvent.input(search, { target: { value: 'anna' } });
    const matches = section('Matches');
    expect(within(matches).getAllByRole('listitem').map((li) => li.querySelector('.name')?.textContent)).toEqual(['Anna Schmidt']);
    expect(screen.queryByRole('alert')).toBeNull();
    await fireEvent.input(search, { target: { value: 'zoe' } });
    expect(within(section('Matches')).getByText('Nothing matches “zoe”. A number or SIP address typed here becomes a target.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    await fireEvent.input(search, { target: { value: '4711' } });
    const raw = within(section('Matches')).getAllByRole('listitem')[0];
    expect(raw.querySelector('.name')?.textContent).toBe('4711');
    expect(within(raw).getByText('Number')).toBeTruthy();
    expect(raw.dataset.dropKey).toBe('number:4711');
  });

  it('takes a number dragged from a history row into the search', async () => {
    await panel();
    const search = screen.getByLabelText('Find a target') as HTMLInputElement;
    const data = new Map([['application/x-agent-console-number', '+49 30 999']]);
    const dataTransfer = { types: [...data.keys()], getData: (type: string) => data.get(type) ?? '' };
    await fireEvent.dragOver(search, { dataTransfer });
    await fireEvent.drop(search, { dataTransfer });
    expect(search.value).toBe('+49 30 999');
    expect(within(section('Matches')).getAllByRole('listitem')[0].dataset.dropKey).toBe('number:+49 30 999');
  });
});
