/**
 * Audio settings in Chromium through the REAL core and the REAL media host
 * (harness + mediaHostExtension, Chromium's fake devices): the pickers list
 * what the host enumerates, a volume set with the keyboard lands in
 * settings.json, the preview is heard on the agent's output element and
 * stops on Stop and on leaving the panel, an own music file is checked by
 * main. Needs `npx electron-vite build` first; loopback only.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AudioDevices, Result } from '../../preload/contract';
import { repoRoot, startHarness, type Harness } from '../harness/index';
import { expectNoSeriousA11yViolations } from '../support/a11y';
import { expectNoA11yViolations } from '../support/a11y-strict';
import { toneSamples, writeWav } from '../support/wav';
import { mediaHostExtension } from '../harness/media-host';

const built = existsSync(join(repoRoot, 'out/renderer/ui/index.html')) && existsSync(join(repoRoot, 'out/renderer/media/index.html'));
let harness: Harness;
let dataDir: string;

const savedHoldMusic = () => JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).preferences.holdMusic as { track: string; volume: number };

/** Loudest RMS (dBFS) over ~400 ms of what the media host sends to the agent's own output device. */
function outputLevelDb(media: Page): Promise<number> {
  return media.evaluate(async () => {
    const el = document.querySelector<HTMLAudioElement>('audio[data-role=output]');
    const stream = el?.srcObject;
    if (!(stream instanceof MediaStream)) return -200;
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 2048;
    ctx.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let loudest = -200;
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 50));
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      loudest = Math.max(loudest, 10 * Math.log10(sum / samples.length || 1e-20));
    }
    await ctx.close();
    return loudest;
  });
}

/** A one-second 440 Hz WAV (PCM 16-bit mono, 8 kHz), the agent's "own" hold music. */
const writeJingle = (path: string) => writeWav(path, toneSamples(440, 1, 8000 / 32767, 8000), 8000);

describe.skipIf(!built)('audio settings in Chromium through the real core and media host', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ui-audio-'));
    harness = await startHarness({ dataDir, viewport: { width: 1024, height: 900 }, extensions: [mediaHostExtension()] });
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
    expect(await outputLevelDb(media)).toBeLessThan(-80);
    await ui.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => ui.getByRole('button', { name: 'Stop preview' }).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => outputLevelDb(media), { timeout: 5000 }).toBeGreaterThan(-50);
    expect(await ui.getByRole('alert').count()).toBe(0);
    await harness.screenshot('audio-settings-previewing');

    await ui.getByRole('button', { name: 'Stop preview' }).click();
    await expect.poll(() => outputLevelDb(media), { timeout: 5000 }).toBeLessThan(-80);

    await ui.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => outputLevelDb(media), { timeout: 5000 }).toBeGreaterThan(-50);
    await ui.getByRole('button', { name: 'Calls', exact: true }).click();
    await expect.poll(() => outputLevelDb(media), { timeout: 5000 }).toBeLessThan(-80);
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
    const path = await harness.screenshot('audio-settings');
    expect(readFileSync(path).length).toBeGreaterThan(10_000);
    // The narrowest window the console supports: no horizontal scrolling.
    await ui.setViewportSize({ width: 720, height: 480 });
    expect(await ui.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(720);
    await harness.screenshot('audio-settings-720x480');
  });
});
