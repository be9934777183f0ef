import type { AudioDevice, AudioDevices, Preferences } from '../../../preload/contract';
import { t } from '../i18n/index.svelte';
import { PreferenceSection } from './preference-section.svelte';

export type AudioPrefs = Preferences['audio'];
export type HoldMusicPrefs = Preferences['holdMusic'];
export type DeviceRole = 'inputDeviceId' | 'outputDeviceId' | 'ringerDeviceId';
export type VoiceSwitch = 'echoCancellation' | 'noiseSuppression' | 'autoGainControl';
/** What the hold-music choice shows: one of the shipped tracks or the agent's own file. */
export type MusicChoice = 'builtin:lounge' | 'builtin:classic' | 'file';
/** Field keys for messages: the preference leaf the control edits (`holdMusic.track`, `audio.inputDeviceId`). */
export type AudioField = `audio.${keyof AudioPrefs}` | `holdMusic.${keyof HoldMusicPrefs}`;

/** One option of a device picker; `missing` marks the saved device that is not connected now. */
export interface DeviceOption {
  id: string;
  label: string;
  missing?: boolean;
}

const defaults: Preferences['audio'] = {
  inputDeviceId: 'default',
  outputDeviceId: 'default',
  ringerDeviceId: 'default',
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

const defaultMusic: Preferences['holdMusic'] = { track: 'builtin:lounge', volume: 0.5 };

// Chromium lists the system default as its own entry (deviceId 'default', label "Default - <name>").
const defaultLabel = (list: readonly AudioDevice[]) => {
  const label = list.find((d) => d.deviceId === 'default')?.label.replace(/^Default\s*-\s*/i, '');
  return label ? t('settings.audio.device.systemDefaultNamed', { name: label }) : t('settings.audio.device.systemDefault');
};

/**
 * The agent's audio settings: device pickers fed by the media host's list
 * (kept live on hot-plug), voice processing, and hold music with its volume
 * and a local preview. Every change is saved at once through settings:update;
 * main's refusals are shown under the control that caused them.
 */
export class AudioSettingsModel extends PreferenceSection<AudioField> {
  audio = $state.raw<AudioPrefs>(defaults);
  holdMusic = $state.raw<HoldMusicPrefs>(defaultMusic);
  /** null until the media host has answered (or when it is down, see devicesError). */
  devices = $state.raw<AudioDevices | null>(null);
  devicesError = $state<string | null>(null);
  /** The hold-music choice on screen; 'file' may be chosen before a path is saved. */
  musicChoice = $state<MusicChoice>('builtin:lounge');
  /** The path typed into "Use my own file", applied with applyFile(). */
  filePath = $state('');
  /** Volume while the slider moves (0–100); saved when the agent lets go. */
  volumePercent = $state(50);
  previewing = $state(false);
  previewError = $state<string | null>(null);

  readonly inputs = $derived(this.options(this.devices?.inputs, this.audio.inputDeviceId));
  readonly outputs = $derived(this.options(this.devices?.outputs, this.audio.outputDeviceId));
  readonly ringers = $derived(this.options(this.devices?.outputs, this.audio.ringerDeviceId));

  /** Loads the saved preferences and the device list; follows main's pushes. Returns the dispose. */
  start(): () => void {
    const stops = [
      this.followSettings(),
      this.api.audio.onDevicesChanged((list) => {
        this.devices = list;
        this.devicesError = null;
      }),
    ];
    void this.refreshDevices();
    return () => {
      for (const stop of stops) stop();
      void this.stopPreview();
    };
  }

  load(preferences: Pick<Preferences, 'audio' | 'holdMusic'>) {
    // Spread over defaults: a view from an older main (or a test's partial one) may lack a section.
    this.audio = { ...defaults, ...preferences.audio };
    this.holdMusic = { ...defaultMusic, ...preferences.holdMusic };
    this.volumePercent = Math.round(this.holdMusic.volume * 100);
    const track = this.holdMusic.track;
    if (track.startsWith('file:')) {
      this.musicChoice = 'file';
      this.filePath = track.slice('file:'.length);
    } else if (track === 'builtin:classic' || track === 'builtin:lounge') {
      // Keep an unsaved "own file" choice on screen (path still being typed) across other saves.
      if (this.musicChoice !== 'file') this.musicChoice = track;
    }
  }

  async refreshDevices() {
    const r = await this.api.audio.devices();
    if (r.ok) {
      this.devices = r.value;
      this.devicesError = null;
    } else {
      this.devicesError = r.code === 'unavailable' ? t('settings.audio.devicesUnavailable') : r.message;
    }
  }

  /** The saved device that is no longer connected, for the "fell back to the default" message. */
  missingDevice(role: DeviceRole): boolean {
    const id = this.audio[role];
    if (id === 'default' || !this.devices) return false;
    const list = role === 'inputDeviceId' ? this.devices.inputs : this.devices.outputs;
    return !list.some((d) => d.deviceId === id);
  }

  private options(list: readonly AudioDevice[] | undefined, chosen: string): DeviceOption[] {
    const all = list ?? [];
    const options: DeviceOption[] = [{ id: 'default', label: defaultLabel(all) }];
    all.forEach((d, i) => {
      // 'communications' is Windows' second default; a plain default entry is already listed above.
      if (d.deviceId === 'default' || d.deviceId === 'communications') return;
      options.push({ id: d.deviceId, label: d.label || t('settings.audio.device.unnamed', { number: i + 1 }) });
    });
    if (list && !options.some((o) => o.id === chosen)) options.push({ id: chosen, label: t('settings.audio.device.savedMissing'), missing: true });
    return options;
  }

  chooseDevice(role: DeviceRole, deviceId: string) {
    this.audio = { ...this.audio, [role]: deviceId };
    return this.save({ audio: { [role]: deviceId } }, `audio.${role}`, t('settings.audio.saved.device'));
  }

  setSwitch(name: VoiceSwitch, on: boolean) {
    this.audio = { ...this.audio, [name]: on };
    return this.save({ audio: { [name]: on } }, `audio.${name}`, t(on ? 'settings.audio.saved.on' : 'settings.audio.saved.off'));
  }

  chooseMusic(choice: MusicChoice) {
    this.musicChoice = choice;
    this.clearError('holdMusic.track');
    if (choice === 'file') {
      // Nothing to save until a path is given; a saved file stays in use meanwhile.
      return this.filePath.trim() ? this.applyFile() : Promise.resolve(false);
    }
    return this.save({ holdMusic: { track: choice } }, 'holdMusic.track', t('settings.holdMusic.saved'));
  }

  setFilePath(path: string) {
    this.filePath = path;
    this.confirmation = null;
  }

  applyFile() {
    const path = this.filePath.trim();
    if (path === '') {
      this.errors = { ...this.errors, 'holdMusic.track': t('settings.holdMusic.check.pathEmpty') };
      return Promise.resolve(false);
    }
    return this.save({ holdMusic: { track: `file:${path}` } }, 'holdMusic.track', t('settings.holdMusic.saved'));
  }

  /** The system's file dialog (Electron); where there is none, main says so and the path can be typed. */
  async chooseFile() {
    this.clearError('holdMusic.track');
    const r = await this.api.audio.chooseMusicFile();
    if (!r.ok) {
      this.errors = { ...this.errors, 'holdMusic.track': r.message };
      return false;
    }
    if (r.value === null) return false; // cancelled: nothing changes
    this.filePath = r.value;
    return this.applyFile();
  }

  /** While the slider moves: the figure follows at once; nothing is saved yet. */
  slideVolume(percent: number) {
    this.volumePercent = Math.min(100, Math.max(0, Math.round(percent)));
  }

  /** The agent let go of the slider (or pressed an arrow key): save. */
  commitVolume(percent: number) {
    this.slideVolume(percent);
    const volume = this.volumePercent / 100;
    if (volume === this.holdMusic.volume) return Promise.resolve(true);
    this.holdMusic = { ...this.holdMusic, volume };
    return this.save({ holdMusic: { volume } }, 'holdMusic.volume', t('settings.holdMusic.saved.volume', { percent: this.volumePercent }));
  }

  async togglePreview() {
    if (this.previewing) return this.stopPreview();
    this.previewError = null;
    const r = await this.api.audio.previewMusic({ on: true });
    if (r.ok) this.previewing = true;
    else this.previewError = r.code === 'unavailable' ? t('settings.holdMusic.previewUnavailable') : r.message;
  }

  /** Stops a running preview (leaving the panel, closing the window); harmless when none runs. */
  async stopPreview() {
    if (!this.previewing) return;
    this.previewing = false;
    const r = await this.api.audio.previewMusic({ on: false });
    if (!r.ok) this.previewError = r.message;
  }

  /** A half-finished "own file" choice (path still being typed) stays on screen across the reload. */
  protected override restore(field: AudioField) {
    void this.api.settings.get().then((r) => {
      if (r.ok) {
        const music = this.musicChoice;
        this.load(r.value.preferences);
        if (field === 'holdMusic.track' && music === 'file') this.musicChoice = 'file';
      }
    });
  }
}
