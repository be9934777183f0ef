/**
 * Settings → Queues and colleagues: the configured lists edited as rows and
 * saved whole as one settings:update leaf, empty cells and repeated names
 * caught before main is asked, main's messages under the cell they name,
 * focus kept on the keyboard's path, unsaved rows kept across main's pushes.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { PreferencesPatch, Result, SettingsView as View } from '../../../preload/contract';
import SettingsView from '../../../renderer/ui/components/settings/SettingsView.svelte';
import { SettingsModels } from '../../../renderer/ui/state/settings.svelte';
import { basePreferences, fakeConsoleApi, settle } from '../../support/console-api';

const configured: View['preferences'] = {
  ...basePreferences,
  targets: {
    queues: [{ name: 'Sales', address: '2001' }],
    colleagues: [
      { name: 'Alex', address: 'sip:alex@pbx.example.com' },
      { name: 'Billie', address: '1002' },
    ],
  },
};

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  stop = undefined;
});

function setup(update?: (patch: PreferencesPatch) => Result<View> | undefined) {
  const fake = fakeConsoleApi({ preferences: configured, answers: update ? { 'settings:update': update } : {} });
  const models = new SettingsModels(fake.api);
  stop = models.start();
  render(SettingsView, { models });
  return fake;
}

const list = (name: 'Queues' | 'Colleagues') => within(screen.getByRole('group', { name }));
const cell = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
const describedText = (el: HTMLElement) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '';
const type = (label: string, value: string) => fireEvent.input(cell(label), { target: { value } });

describe('configured queues and colleagues', () => {
  it('shows the saved lists as labelled rows', async () => {
    setup();
    await settle();
    expect(cell('Queue 1: name').value).toBe('Sales');
    expect(cell('Queue 1: number or SIP address').value).toBe('2001');
    expect(cell('Colleague 2: name').value).toBe('Billie');
    expect(screen.getByText('2 colleagues')).toBeTruthy();
    expect(screen.getByText('1 queue')).toBeTruthy();
    // Nothing to save yet.
    expect(screen.queryByRole('button', { name: 'Save queues' })).toBeNull();
  });

  it('adds a row with the keyboard focus on its name, and saves the list whole as targets.queues', async () => {
    const { raw } = setup();
    await settle();
    await fireEvent.click(screen.getByRole('button', { name: 'Add queue' }));
    await settle();
    expect(document.activeElement).toBe(cell('Queue 2: name'));
    await type('Queue 2: name', '  Support ');
    await type('Queue 2: number or SIP address', 'sip:support@pbx.example.com');
    expect(screen.getByText('Not saved yet')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Save queues' }));
    await settle();
    expect(raw.settings.update).toHaveBeenCalledWith({
      targets: {
        queues: [
          { name: 'Sales', address: '2001' },
          { name: 'Support', address: 'sip:support@pbx.example.com' },
        ],
      },
    });
    expect(screen.getByRole('region', { name: 'Queues and colleagues' }).textContent).toContain('2 queues saved');
    expect(cell('Queue 2: name').value).toBe('Support');
    expect(screen.queryByText('Not saved yet')).toBeNull();
  });

  it('catches empty cells and repeated names without asking main, and focuses the first', async () => {
    const { raw } = setup();
    await settle();
    await fireEvent.click(screen.getByRole('button', { name: 'Add colleague' }));
    await type('Colleague 3: name', 'alex');
    await fireEvent.click(screen.getByRole('button', { name: 'Save colleagues' }));
    await settle();
    expect(raw.settings.update).not.toHaveBeenCalled();
    expect(cell('Colleague 3: name').getAttribute('aria-invalid')).toBe('true');
    expect(describedText(cell('Colleague 3: name'))).toMatch(/used twice/);
    expect(describedText(cell('Colleague 3: number or SIP address'))).toMatch(/Enter a number or a SIP address/);
    expect(document.activeElement).toBe(cell('Colleague 3: name'));
    // Typing into a cell clears its own message only.
    await type('Colleague 3: name', 'Casey');
    expect(cell('Colleague 3: name').getAttribute('aria-invalid')).toBeNull();
    expect(cell('Colleague 3: number or SIP address').getAttribute('aria-invalid')).toBe('true');
  });

  it("shows main's refusal under the cell it names, keeps the typed rows, and saves once fixed", async () => {
    const message = 'The address must be a number (e.g. 2001) or a SIP address (e.g. sip:sales@pbx.example.com)';
    let refuse = true;
    const { raw } = setup((patch) =>
      refuse && patch.targets?.colleagues ? { ok: false, code: 'invalid-request', message, fields: { 'targets.colleagues.1.address': message } } : undefined,
    );
    await settle();
    await type('Colleague 2: number or SIP address', 'billie at home');
    await fireEvent.click(screen.getByRole('button', { name: 'Save colleagues' }));
    await settle();
    expect(raw.settings.update).toHaveBeenCalledTimes(1);
    expect(cell('Colleague 2: number or SIP address').value).toBe('billie at home');
    expect(cell('Colleague 2: number or SIP address').getAttribute('aria-invalid')).toBe('true');
    expect(describedText(cell('Colleague 2: number or SIP address'))).toContain(message);
    expect(document.activeElement).toBe(cell('Colleague 2: number or SIP address'));

    refuse = false;
    await type('Colleague 2: number or SIP address', '1003');
    await fireEvent.click(screen.getByRole('button', { name: 'Save colleagues' }));
    await settle();
    expect(raw.settings.update).toHaveBeenLastCalledWith({
      targets: {
        colleagues: [
          { name: 'Alex', address: 'sip:alex@pbx.example.com' },
          { name: 'Billie', address: '1003' },
        ],
      },
    });
    expect(cell('Colleague 2: number or SIP address').getAttribute('aria-invalid')).toBeNull();
  });

  it("shows a refusal of the whole list under the list", async () => {
    setup(() => ({ ok: false, code: 'invalid-request', message: 'targets.queues: At most 200 queues', fields: { 'targets.queues': 'At most 200 queues' } }));
    await settle();
    await type('Queue 1: name', 'Sales EMEA');
    await fireEvent.click(screen.getByRole('button', { name: 'Save queues' }));
    await settle();
    expect(screen.getAllByRole('alert').map((a) => a.textContent).join(' ')).toContain('At most 200 queues');
  });

  it('removes a row by its named button, moving focus to the next row, and undoes unsaved changes', async () => {
    const { raw } = setup();
    await settle();
    await fireEvent.click(list('Colleagues').getByRole('button', { name: 'Remove colleague Alex' }));
    await settle();
    expect(cell('Colleague 1: name').value).toBe('Billie');
    expect(document.activeElement).toBe(cell('Colleague 1: name'));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove colleague Billie' }));
    await settle();
    expect(screen.getByText('No colleagues configured.')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Add colleague' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Undo changes to the colleagues' }));
    expect(cell('Colleague 1: name').value).toBe('Alex');
    expect(cell('Colleague 2: name').value).toBe('Billie');
    expect(raw.settings.update).not.toHaveBeenCalled();
  });

  it("keeps unsaved rows when main pushes other settings, and follows main's list otherwise", async () => {
    const { emit, settings } = setup();
    await settle();
    await type('Queue 1: name', 'Sales (typing)');
    const pushed = { ...configured, targets: { queues: [{ name: 'Billing', address: '2100' }], colleagues: [{ name: 'Dana', address: '1010' }] } };
    await emit('settings:changed', { ...settings, preferences: pushed });
    expect(cell('Queue 1: name').value).toBe('Sales (typing)');
    expect(cell('Colleague 1: name').value).toBe('Dana');
    expect(screen.queryByLabelText('Colleague 2: name')).toBeNull();
  });
});
