/**
 * The settings view as a whole: a contents list that reaches every section
 * by the keyboard, the workspace section's drop action, and SettingsModels'
 * life cycle (the view starts nothing; one dispose releases everything the
 * models subscribed to).
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import SettingsView from '../../../renderer/ui/components/settings/SettingsView.svelte';
import { AppearanceModel } from '../../../renderer/ui/state/appearance.svelte';
import { LineModel } from '../../../renderer/ui/state/line.svelte';
import { SettingsModels } from '../../../renderer/ui/state/settings.svelte';
import { basePreferences, fakeConsoleApi, settle } from '../../support/console-api';

describe('the settings view', () => {
  it('lists every section in its contents, and a link moves the focus to that section', async () => {
    const { api } = fakeConsoleApi({ preferences: basePreferences });
    const models = new SettingsModels(api);
    const stop = models.start();
    render(SettingsView, { models });
    await settle();
    const contents = screen.getByRole('navigation', { name: 'Settings contents' });
    const links = [...contents.querySelectorAll('a')];
    expect(links.map((a) => a.textContent?.trim())).toEqual([
      'SIP account',
      'Platform',
      'Queues and colleagues',
      'Workspace',
      'After-call work',
      'Audio and hold music',
      'Transfers',
      'Appearance',
      'Desktop',
    ]);
    for (const link of links) {
      const heading = document.getElementById(link.getAttribute('href')!.slice(1));
      expect(heading?.tagName).toBe('H2');
      await fireEvent.click(link);
      expect(document.activeElement).toBe(heading);
    }
    // The link does not change the address: nothing to bookmark, nothing for a reload to jump to.
    expect(location.hash).toBe('');
    stop();
  });

  it('saves what a drop on a target does as workspace.dropAction', async () => {
    const { api, raw } = fakeConsoleApi({ preferences: basePreferences });
    const models = new SettingsModels(api);
    const stop = models.start();
    render(SettingsView, { models });
    await settle();
    const workspace = () => within(screen.getByRole('region', { name: 'Workspace' }));
    expect((workspace().getByRole('radio', { name: /^Ask me/ }) as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(workspace().getByRole('radio', { name: /^Attended transfer/ }));
    await settle();
    expect(raw.settings.update).toHaveBeenCalledWith({ workspace: { dropAction: 'attended' } });
    expect((workspace().getByRole('radio', { name: /^Attended transfer/ }) as HTMLInputElement).checked).toBe(true);
    expect(workspace().getByRole('status').textContent).toContain('Drops transfer attended');
    stop();
  });

  it('starts nothing by itself: its models keep running without it, and their one dispose releases every subscription', async () => {
    const fake = fakeConsoleApi({ preferences: basePreferences });
    const models = new SettingsModels(fake.api);
    const { unmount } = render(SettingsView, { models });
    await settle();
    expect(fake.subscriptions()).toBe(0);

    const stop = models.start();
    await settle();
    const live = fake.subscriptions();
    expect(live).toBeGreaterThan(0);
    unmount();
    expect(fake.unsubscribes).not.toHaveBeenCalled();
    stop();
    expect(fake.unsubscribes).toHaveBeenCalledTimes(live);
  });

  it('leaves shared models to their owner: neither started nor stopped here', async () => {
    const fake = fakeConsoleApi({ preferences: basePreferences });
    const line = new LineModel(fake.api);
    const appearance = new AppearanceModel(fake.api);
    const models = new SettingsModels(fake.api, { line, appearance });
    expect(models.line).toBe(line);
    expect(models.appearance).toBe(appearance);
    const stop = models.start();
    await settle();
    expect(fake.raw.line.onChanged).not.toHaveBeenCalled();
    expect(fake.listeners('line:changed')).toBe(0);
    stop();
  });
});
