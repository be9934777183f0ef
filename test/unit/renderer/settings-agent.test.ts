/**
 * The "After-call work and availability" settings section against a fake
 * consoleApi: the wrap-up time and the More-time step saved as one-leaf
 * patches (checked here first, main's field errors under the field), the
 * quiet-call choice, and do-not-disturb switched through the agent's own
 * channel, showing main's agent view and its refusal.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentView, SettingsView } from '../../../preload/contract';
import SettingsView_ from '../../../renderer/ui/components/settings/SettingsView.svelte';
import { SettingsModels } from '../../../renderer/ui/state/settings.svelte';
import { basePreferences, fakeConsoleApi, settle, type Answer } from '../../support/console-api';

const agentView = (over: Partial<AgentView> = {}): AgentView => ({
  status: 'available',
  since: 1_000,
  wrapUp: null,
  doNotDisturb: false,
  quiet: false,
  quietCalls: 'ring',
  platform: { state: 'none', message: null },
  allowedActions: ['away', 'wrap-up'],
  ...over,
});

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

async function open(options: { preferences?: SettingsView['preferences']; view?: AgentView; answers?: Record<string, Answer> } = {}) {
  let view = options.view ?? agentView();
  const fake = fakeConsoleApi({
    preferences: options.preferences ?? basePreferences,
    answers: {
      'agent:status': () => ({ ok: true, value: view }),
      'agent:set-do-not-disturb': ({ on }: { on: boolean }) => {
        view = { ...view, doNotDisturb: on, quiet: on || view.status === 'away' };
        return { ok: true, value: view };
      },
      ...options.answers,
    },
  });
  const models = new SettingsModels(fake.api);
  stops.push(models.start());
  render(SettingsView_, { models });
  await settle();
  return fake;
}

const section = () => within(screen.getByRole('region', { name: 'After-call work and availability' }));
const field = (label: string) => section().getByLabelText(label, { exact: true }) as HTMLInputElement;
const dnd = () => section().getByRole('switch', { name: 'Do not disturb' }) as HTMLInputElement;
const radio = (name: RegExp) => section().getByRole('radio', { name }) as HTMLInputElement;
const confirmation = () => section().getAllByRole('status')[0]!.textContent?.trim() ?? '';
const described = (el: HTMLElement) =>
  (el.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .map((id) => document.getElementById(id)?.textContent?.trim() ?? `<missing #${id}>`)
    .join(' | ');

async function typeAndLeave(label: string, text: string) {
  const el = field(label);
  await fireEvent.input(el, { target: { value: text } });
  await fireEvent.change(el, { target: { value: text } });
  await settle();
}

describe('after-call work and availability', () => {
  it('is in the settings contents and shows the saved values', async () => {
    await open({ preferences: { ...basePreferences, agent: { wrapUpSec: 45, wrapUpExtendSec: 60, doNotDisturb: false, quietCalls: 'reject' } } });
    const contents = screen.getByRole('navigation', { name: 'Settings contents' });
    await fireEvent.click(within(contents).getByRole('link', { name: 'After-call work' }));
    expect(document.activeElement?.id).toBe('agent-settings-heading');
    expect(field('Wrap-up time').value).toBe('45');
    expect(field('More time adds').value).toBe('60');
    expect(described(field('Wrap-up time'))).toMatch(/^\(0–1,800, 0 = none\) \| When your last call ends/);
    expect(described(field('More time adds'))).toMatch(/^\(10–600\) \|/);
    expect(radio(/^Refuse at once/).checked).toBe(true);
    // The words follow how a refused call is refused (busy by default).
    expect(radio(/^Refuse at once/).closest('label')?.textContent).toContain('hears busy');
    expect(dnd().checked).toBe(false);
  });

  it('saves the wrap-up time and the More-time step as their own leaves', async () => {
    const { raw } = await open();
    await typeAndLeave('Wrap-up time', '90');
    expect(raw.settings.update).toHaveBeenLastCalledWith({ agent: { wrapUpSec: 90 } });
    expect(confirmation()).toBe('✓ Wrap-up 90 s');
    await typeAndLeave('Wrap-up time', '0');
    expect(raw.settings.update).toHaveBeenLastCalledWith({ agent: { wrapUpSec: 0 } });
    expect(confirmation()).toBe('✓ No automatic wrap-up');
    await typeAndLeave('More time adds', '120');
    expect(raw.settings.update).toHaveBeenLastCalledWith({ agent: { wrapUpExtendSec: 120 } });
    expect(confirmation()).toBe('✓ More time adds 120 s');
    expect(raw.settings.update).toHaveBeenCalledTimes(3);
  });

  it('refuses an out-of-range or fractional number here, keeping the text, and asks main nothing', async () => {
    const { raw } = await open();
    await typeAndLeave('More time adds', '5');
    expect(field('More time adds').value).toBe('5');
    expect(field('More time adds').getAttribute('aria-invalid')).toBe('true');
    expect(described(field('More time adds'))).toMatch(/^⚠ Enter a whole number of seconds from 10 to 600\./);
    await typeAndLeave('Wrap-up time', '2.5');
    expect(described(field('Wrap-up time'))).toMatch(/from 0 to 1,800\./);
    expect(raw.settings.update).not.toHaveBeenCalled();
  });

  it('shows main’s field error under the field and keeps what was typed', async () => {
    const { raw } = await open({
      answers: {
        'settings:update': () => ({
          ok: false,
          code: 'invalid-request',
          message: 'agent.wrapUpSec: Too big',
          fields: { 'agent.wrapUpSec': 'The wrap-up may last at most 30 minutes' },
        }),
      },
    });
    await typeAndLeave('Wrap-up time', '1200');
    expect(raw.settings.update).toHaveBeenCalledWith({ agent: { wrapUpSec: 1200 } });
    expect(field('Wrap-up time').getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById('agent-wrapUpSec-error')?.textContent).toContain('The wrap-up may last at most 30 minutes');
    expect(field('Wrap-up time').value).toBe('1200');
  });

  it('saves what happens to calls while quiet', async () => {
    const { raw } = await open({ preferences: { ...basePreferences, calls: { dtmf: 'info', declineWith: 'decline' } } });
    expect(radio(/^Refuse at once/).closest('label')?.textContent).toContain('is declined');
    await fireEvent.click(radio(/^Refuse at once/));
    await settle();
    expect(raw.settings.update).toHaveBeenCalledWith({ agent: { quietCalls: 'reject' } });
    expect(radio(/^Refuse at once/).checked).toBe(true);
    expect(confirmation()).toBe('✓ Quiet calls are refused');
  });
});

describe('do not disturb', () => {
  it('shows main’s agent view, not the preference, and follows agent:changed', async () => {
    const fake = await open({ view: agentView({ doNotDisturb: true, quiet: true }) });
    expect(dnd().checked).toBe(true);
    expect(section().getByText('You are away or on do not disturb now.')).toBeTruthy();
    await fake.emit('agent:changed', agentView({ doNotDisturb: false }));
    expect(dnd().checked).toBe(false);
    expect(section().queryByText('You are away or on do not disturb now.')).toBeNull();
  });

  it('switches through agent:set-do-not-disturb, never as a plain preference', async () => {
    const { raw } = await open();
    await fireEvent.click(dnd());
    await settle();
    expect(raw.agent.setDoNotDisturb).toHaveBeenCalledWith({ on: true });
    expect(raw.settings.update).not.toHaveBeenCalled();
    expect(dnd().checked).toBe(true);
    expect(confirmation()).toBe('✓ Do not disturb on');
    await fireEvent.click(dnd());
    await settle();
    expect(raw.agent.setDoNotDisturb).toHaveBeenLastCalledWith({ on: false });
    expect(dnd().checked).toBe(false);
  });

  it('shows main’s refusal under the switch and puts it back', async () => {
    const { raw } = await open({
      answers: { 'agent:set-do-not-disturb': () => ({ ok: false, code: 'storage', message: 'The settings file could not be written.' }) },
    });
    await fireEvent.click(dnd());
    await settle();
    expect(raw.agent.setDoNotDisturb).toHaveBeenCalledWith({ on: true });
    expect(dnd().checked).toBe(false);
    expect(section().getByRole('alert').textContent).toContain('The settings file could not be written.');
  });
});
