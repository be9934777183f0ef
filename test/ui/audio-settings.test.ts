/**
 * Audio settings in Chromium through the REAL core and the REAL media host
 * (harness + mediaHostExtension, Chromium's fake devices): the pickers list
 * what the host enumerates, a volume set with the keyboard lands in
 * settings.json, the preview is heard on the agent's output element and
 * stops on Stop and on leaving the panel, an own music file is checked by
 * main. Needs `npx electron-vite build` first; loopback only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AudioDevices, Result } from '../../preload/contract';
import { startHarness, type Harness } from '../harness/index';
import { expectNoSeriousA11yViolations } from '../support/a11y';
import { expectNoA11yViolations } from '../support/a11y-strict';
import { toneSamples, writeWav } from '../support/wav';
import { mediaHostExtension } from '../harness/media-host';
import { expectScreenshot } from './baseline';
import { uiUnbuilt } from '../harness/built';
import { installProbe, musicOf, type Spectrum } from '../media/tools';

/** Skipped LOUDLY when the pages are not built (test/harness/built.ts). */
const unbuilt = uiUnbuilt(['ui', 'media']);
let harness: Harness;
let dataDir: string;

const savedHoldMusic = () => JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).preferences.holdMusic as { track: string; volume: number };

/**
 * What the media host sends to the agent's own output device, over 0.8 s (the
 * lab detector's probe, test/media/tools.ts): its level, and the known music
 * track recognised in it. No output element yet = nothing plays.
 */
async function output(media: Page): Promise<{ levelDb: number; music: string | null }> {
  const s = (await media.evaluate(
    `(() => { const el = document.querySelector('audio[data-role=output]'); return el && el.srcObject ? window.__probe(el.srcObject, []) : null; })()`,
  )) as Spectrum | null;
  return s ? { levelDb: s.rmsDb, music: musicOf(s) } : { levelDb: -200, music: null };
}

/** A one-second 440 Hz WAV (PCM 16-bit mono, 8 kHz), the agent's "own" hold music. */
const writeJingle = (path: string) => writeWav(path, toneSamples(440, 1, 8000 / 32767, 8000), 8000);

describe.skipIf(unbuilt)('audio settings in Chromium through the real core and media host', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ui-audio-'));
    harness = await startHarness({ dataDir, viewport: { width: 1024, height: 900 }, extensions: [mediaHostExtension()] });
    await installProbe(harness.mediaPage!);
    // No SIP account yet: the console opens on Settings.
    await harness.ui.getByRole('heading', { name: 'Audio' }).waitFor();
  }, 60_000);
  afterAll(async () => {
    await harness?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("lists Chromium's fake devices under the microphone, speaker and ringer pickers", async () => {
    const ui = harness.ui;
    const devices = (await ui.evaluate(() => window.consoleApi.audio.devices())) as Result<AudioDevices>;
    expect(devices.ok).toBe(true);
    if (!devices.ok) return;
    const named = (list: AudioDevices['inputs']) => list.filter((d) => d.deviceId !== 'default' && d.deviceId !== 'communications').map((d) => d.label);
    expect(named(devices.value.inputs).length).toBeGreaterThan(0);
    expect(named(devices.value.inputs).every((l) => /fake/i.test(l))).toBe(true);

    const options = (label: string) => ui.getByLabel(label, { exact: true }).locator('option').allTextContents();
    await expect.poll(async () => (await options('Microphone')).length).toBe(1 + named(devices.value.inputs).length);
    expect((await options('Microphone')).slice(1)).toEqual(named(devices.value.inputs));
    expect((await options('Microphone'))[0]).toMatch(/^System default/);
    expect((await options('Speaker (call audio)')).slice(1)).toEqual(named(devices.value.outputs));
    expect((await options('Ringer')).slice(1)).toEqual(named(devices.value.outputs));
    expect(await ui.getByLabel('Microphone', { exact: true }).isEnabled()).toBe(true);
  });

  it('saves a volume set with the keyboard to settings.json, with aria-valuetext following', async () => {
    const ui = harness.ui;
    const slider = ui.getByRole('slider', { name: 'Volume' });
    expect(await slider.getAttribute('aria-valuetext')).toBe('50 percent');
    await slider.focus();
    await ui.keyboard.press('ArrowLeft');
    await ui.keyboard.press('ArrowLeft');
    await expect.poll(() => savedHoldMusic().volume).toBe(0.4);
    expect(await slider.getAttribute('aria-valuetext')).toBe('40 percent');
    await expect.poll(() => ui.getByRole('status').filter({ hasText: 'Volume 40 %' }).count()).toBe(1);
    expect(savedHoldMusic().track).toBe('builtin:lounge');
  });

  it('plays the preview on the agent’s output and stops it with Stop and when leaving the panel', async () => {
    const ui = harness.ui;
    const media = harness.mediaPage!;
    const before = await output(media);
    expect(before.levelDb).toBeLessThan(-80);
    expect(before.music).toBeNull();
    await ui.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => ui.getByRole('button', { name: 'Stop preview' }).getAttribute('aria-pressed')).toBe('true');
    // The chosen piece itself, recognised by its signature — not merely "something audible".
    expect(savedHoldMusic().track).toBe('builtin:lounge');
    await expect.poll(async () => (await output(media)).music, { timeout: 5000 }).toBe('Lounge');
    expect(await ui.getByRole('alert').count()).toBe(0);
    await harness.screenshot('audio-settings-previewing');

    await ui.getByRole('button', { name: 'Stop preview' }).click();
    await expect.poll(async () => (await output(media)).levelDb, { timeout: 5000 }).toBeLessThan(-80);

    // Positive control after the silence: the same output plays the preview again.
    await ui.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(async () => (await output(media)).music, { timeout: 5000 }).toBe('Lounge');
    await ui.getByRole('button', { name: 'Calls', exact: true }).click();
    await expect.poll(async () => (await output(media)).levelDb, { timeout: 5000 }).toBeLessThan(-80);
    await ui.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect.poll(() => ui.getByRole('button', { name: 'Preview' }).count()).toBe(1);
  });

  it("shows main's refusal of a missing music file under the path, then uses a real one", async () => {
    const ui = harness.ui;
    await ui.getByRole('radio', { name: /Use my own file/ }).check();
    const path = ui.getByLabel('Music file');
    // The harness has no system file dialog: main says so, and the path can be typed.
    await ui.getByRole('button', { name: 'Browse…' }).click();
    await expect.poll(() => ui.locator('#hold-music-file-error').textContent()).toMatch(/No file dialog here: type the full path/);
    await path.fill(join(dataDir, 'missing.mp3'));
    await ui.getByRole('button', { name: 'Use this file' }).click();
    await expect.poll(() => path.getAttribute('aria-invalid')).toBe('true');
    expect(await ui.locator('#hold-music-file-error').textContent()).toMatch(/No file at this path/);
    expect(savedHoldMusic().track).toBe('builtin:lounge');
    await path.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await harness.screenshot('audio-settings-own-file-refused');

    const wav = join(dataDir, 'our jingle.wav');
    writeJingle(wav);
    await path.fill(wav);
    await path.press('Enter');
    await expect.poll(() => savedHoldMusic().track).toBe(`file:${wav}`);
    expect(await path.getAttribute('aria-invalid')).toBeNull();
    expect(savedHoldMusic().volume).toBe(0.4);
    // Back to a shipped track for the screenshot.
    await ui.getByRole('radio', { name: /Lounge/ }).check();
    await expect.poll(() => savedHoldMusic().track).toBe('builtin:lounge');
  });

  it('has no accessibility violations in either theme and looks right (screenshot)', async () => {
    const ui = harness.ui;
    await expectNoSeriousA11yViolations(harness.ui);
    // The section itself: nothing at all, moderate included, light and dark.
    for (const colorScheme of ['light', 'dark'] as const) {
      await ui.emulateMedia({ colorScheme });
      await expectNoA11yViolations(ui, 'section.audio-settings');
    }
    await ui.emulateMedia({ colorScheme: 'dark' });
    await ui.getByRole('heading', { name: 'Audio' }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await harness.screenshot('audio-settings-dark');
    await ui.emulateMedia({ colorScheme: 'light' });
    await ui.setViewportSize({ width: 1024, height: 720 });
    await ui.getByRole('heading', { name: 'Audio' }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await ui.getByRole('button', { name: 'Preview' }).blur();
    await expectScreenshot(harness, 'audio-settings');
    // The narrowest window the console supports: no horizontal scrolling.
    await ui.setViewportSize({ width: 720, height: 480 });
    expect(await ui.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(720);
    await harness.screenshot('audio-settings-720x480');
  });
});
