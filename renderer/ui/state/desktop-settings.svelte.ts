import type { DesktopState, DiagnosticsWritten, HotkeyAction, Preferences } from '../../../preload/contract';
import { formatNumber, t, tn, type MessageKey } from '../i18n/index.svelte';
import { acceleratorParts, hotkeyActionOrder, type Capture } from './hotkey-capture';
import { PreferenceSection } from './preference-section.svelte';

export type DesktopPrefs = Preferences['desktop'];
/** Field keys for messages, as main names them: `desktop.openAtLogin`, `desktop.hotkeys.answer`. */
export type DesktopField = 'desktop.openAtLogin' | 'desktop.hotkeys' | `desktop.hotkeys.${HotkeyAction}`;

/** A state shown beside a control: a tone (colour and shape), words, and main's own reason when it gave one. */
export interface StatusView {
  tone: 'ok' | 'idle' | 'busy' | 'problem';
  text: string;
  detail: string | null;
}

/** One hotkey row as the settings show it. */
export interface HotkeyRow {
  action: HotkeyAction;
  label: string;
  /** The field's text: the combination in the keyboard's own words, modifiers held so far, or a refused one to correct. */
  text: string;
  pending: boolean;
  /** A note from reading the keyboard (a key without a modifier), not an error. */
  hint: string | null;
  error: string | undefined;
  status: StatusView;
}

export type DiagnosticsView =
  | { phase: 'idle' | 'exporting' }
  | { phase: 'written'; written: DiagnosticsWritten }
  | { phase: 'unavailable' }
  | { phase: 'failed'; message: string };

const defaults: DesktopPrefs = {
  openAtLogin: false,
  hotkeys: {
    answer: '',
    hangup: '',
    answerOrHangup: '',
    hold: '',
    mute: '',
    transferPicker: '',
    completeConsult: '',
    cancelConsult: '',
    undoTransfer: '',
    showWindow: '',
  },
};

const actionName = (action: HotkeyAction) => t(`desktop.hotkeys.action.${action}`);

const namedKeys: Record<string, MessageKey> = {
  Space: 'desktop.key.space',
  Return: 'desktop.key.return',
  Tab: 'desktop.key.tab',
  Backspace: 'desktop.key.backspace',
  Delete: 'desktop.key.delete',
  Insert: 'desktop.key.insert',
  Up: 'desktop.key.up',
  Down: 'desktop.key.down',
  Left: 'desktop.key.left',
  Right: 'desktop.key.right',
  Home: 'desktop.key.home',
  End: 'desktop.key.end',
  PageUp: 'desktop.key.pageUp',
  PageDown: 'desktop.key.pageDown',
  Escape: 'desktop.key.escape',
  PrintScreen: 'desktop.key.printScreen',
  Plus: 'desktop.key.plus',
  MediaPlayPause: 'desktop.key.playPause',
  MediaNextTrack: 'desktop.key.nextTrack',
  MediaPreviousTrack: 'desktop.key.previousTrack',
  MediaStop: 'desktop.key.stop',
};
const numpadKeys: Record<string, string> = { numdec: '.', numadd: '+', numsub: '-', nummult: '*', numdiv: '/' };

/** One part of an accelerator as the agent's keyboard prints it (Strg on a German one, Cmd on a Mac). */
function keyLabel(part: string, mac: boolean): string {
  switch (part) {
    case 'CommandOrControl':
      return t(mac ? 'desktop.key.command' : 'desktop.key.control');
    case 'Command':
      return t('desktop.key.command');
    case 'Control':
      return t('desktop.key.control');
    case 'Alt':
      return t(mac ? 'desktop.key.option' : 'desktop.key.alt');
    case 'AltGr':
      return t('desktop.key.altGr');
    case 'Shift':
      return t('desktop.key.shift');
    case 'Super':
      return t('desktop.key.super');
  }
  const named = namedKeys[part];
  if (named) return t(named);
  const num = /^num(\d)$/.exec(part)?.[1] ?? numpadKeys[part];
  if (num) return t('desktop.key.numpad', { key: num });
  return part;
}

/** An accelerator in the keyboard's words ("Ctrl+Alt+Shift+A"); '' for none. */
export function acceleratorLabel(accelerator: string, mac: boolean): string {
  return acceleratorParts(accelerator)
    .map((p) => keyLabel(p, mac))
    .join('+');
}

/**
 * The installed app's settings (docs/desktop.md): the global hotkeys with
 * whether each one could be registered, start at login with what the system
 * did, and the diagnostics export. The hotkeys are saved as the whole map
 * (`settings.update({ desktop: { hotkeys } })`) as soon as a combination is
 * pressed; main's refusal lands under its field and the combination stays
 * there to correct. Registration comes from desktop:state / desktop:changed,
 * which answer `unavailable` where no desktop shell runs (the headless
 * harness, the lab): then every status says "Only in the installed app".
 */
export class DesktopSettingsModel extends PreferenceSection<DesktopField> {
  desktop = $state.raw<DesktopPrefs>(defaults);
  /** Main's desktop state; null until it has answered. */
  state = $state.raw<DesktopState | null>(null);
  /** false: no desktop shell answers (not the installed app); null: not known yet. */
  installed = $state<boolean | null>(null);
  /** Why the desktop state could not be read, when that was not "not the installed app". */
  stateError = $state<string | null>(null);
  /** macOS names keys differently (Cmd, Option). */
  mac = $state(false);
  /** What a field shows instead of the saved hotkey: a combination being saved, or one main refused. */
  drafts = $state.raw<Partial<Record<HotkeyAction, string>>>({});
  /** Modifiers held in a field, before the key. */
  pending = $state.raw<Partial<Record<HotkeyAction, string[]>>>({});
  hints = $state.raw<Partial<Record<HotkeyAction, 'needs-modifier' | 'unknown'>>>({});
  /** What became of the last hotkey the agent set once main registered it (announced politely). */
  news = $state<string | null>(null);
  diagnostics = $state.raw<DiagnosticsView>({ phase: 'idle' });
  /** Main's refusal to show the folder. */
  folderError = $state<string | null>(null);

  private lastSet: HotkeyAction | null = null;
  private savingAction: HotkeyAction | null = null;

  readonly rows: HotkeyRow[] = $derived(hotkeyActionOrder.map((action) => this.row(action)));
  readonly autoStart: StatusView | null = $derived(this.autoStartView());
  /** The written zip's size and file count; null until one is written. */
  readonly diagnosticsSummary: string | null = $derived(this.diagnostics.phase === 'written' ? this.summarize(this.diagnostics.written) : null);

  /** Loads the preferences, the desktop state and the platform; follows main's pushes. Returns the dispose. */
  start(): () => void {
    const stops = [this.followSettings(), this.api.desktop.onChanged((s) => this.takeState(s))];
    void this.refreshState();
    void this.api.app.info().then((r) => {
      if (r.ok) this.mac = r.value.platform === 'darwin';
    });
    return () => {
      for (const stop of stops) stop();
    };
  }

  load(preferences: Pick<Preferences, 'desktop'>) {
    const saved = preferences.desktop ?? defaults;
    this.desktop = { ...defaults, ...saved, hotkeys: { ...defaults.hotkeys, ...saved.hotkeys } };
    // A refused combination stays to correct, and so does the one being saved; the others follow main.
    const drafts: Partial<Record<HotkeyAction, string>> = {};
    for (const [action, text] of Object.entries(this.drafts) as Array<[HotkeyAction, string]>) {
      if (this.errors[`desktop.hotkeys.${action}`] || action === this.savingAction) drafts[action] = text;
    }
    this.drafts = drafts;
  }

  /** A key went down in a hotkey's field. */
  press(action: HotkeyAction, capture: Capture): Promise<boolean> {
    this.setPending(action, null);
    this.setHint(action, null);
    switch (capture.kind) {
      case 'pass':
        return Promise.resolve(false);
      case 'pending':
        if (capture.modifiers.length > 0) this.setPending(action, capture.modifiers);
        return Promise.resolve(false);
      case 'needs-modifier':
      case 'unknown':
        this.setHint(action, capture.kind);
        return Promise.resolve(false);
      case 'cancel':
        return Promise.resolve(this.keep(action));
      case 'clear':
        return this.setHotkey(action, '');
      case 'accelerator':
        return this.setHotkey(action, capture.accelerator);
    }
  }

  /** Every key let go, or the field left: whatever modifiers were held mean nothing now. */
  release(action: HotkeyAction) {
    this.setPending(action, null);
  }

  /** Esc: the hotkey in force stays, whatever was pressed or refused is forgotten. */
  keep(action: HotkeyAction): boolean {
    const drafts = { ...this.drafts };
    delete drafts[action];
    this.drafts = drafts;
    this.clearError(`desktop.hotkeys.${action}`);
    this.setHint(action, null);
    this.confirmation = t('desktop.hotkeys.kept', { action: actionName(action) });
    return false;
  }

  /** Saves the whole map with this action's combination ('' = none). */
  async setHotkey(action: HotkeyAction, accelerator: string): Promise<boolean> {
    const field = `desktop.hotkeys.${action}` as const;
    const saved = this.desktop.hotkeys;
    const other = hotkeyActionOrder.find((a) => a !== action && accelerator !== '' && saved[a] === accelerator);
    if (other) {
      // Main refuses a shared combination under the later action of its own list, which may be the
      // other field; said here, under the field the agent is in, nothing is saved.
      this.drafts = { ...this.drafts, [action]: accelerator };
      this.errors = {
        ...this.errors,
        [field]: t('desktop.hotkeys.check.shared', { keys: acceleratorLabel(accelerator, this.mac), action: actionName(other) }),
      };
      this.confirmation = null;
      return false;
    }
    if (accelerator === saved[action] && !this.errors[field]) {
      this.keep(action);
      return true;
    }
    this.drafts = { ...this.drafts, [action]: accelerator };
    this.savingAction = action;
    this.news = null;
    const done =
      accelerator === ''
        ? t('desktop.hotkeys.saved.off', { action: actionName(action) })
        : t('desktop.hotkeys.saved', { action: actionName(action), keys: acceleratorLabel(accelerator, this.mac) });
    try {
      const ok = await this.save({ desktop: { hotkeys: { ...saved, [action]: accelerator } } }, field, done);
      if (ok) {
        this.lastSet = accelerator === '' ? null : action;
        // Main re-registers on every save and pushes desktop:changed; reading it now covers a push that came first.
        void this.refreshState();
      }
      return ok;
    } finally {
      this.savingAction = null;
      if (!this.errors[field]) {
        const drafts = { ...this.drafts };
        delete drafts[action];
        this.drafts = drafts;
      }
    }
  }

  async setOpenAtLogin(on: boolean): Promise<boolean> {
    this.desktop = { ...this.desktop, openAtLogin: on };
    const ok = await this.save({ desktop: { openAtLogin: on } }, 'desktop.openAtLogin', t(on ? 'desktop.login.saved.on' : 'desktop.login.saved.off'));
    if (ok) void this.refreshState();
    return ok;
  }

  async exportDiagnostics(): Promise<void> {
    this.diagnostics = { phase: 'exporting' };
    this.folderError = null;
    try {
      const r = await this.api.desktop.exportDiagnostics();
      if (r.ok) this.diagnostics = { phase: 'written', written: r.value };
      else if (r.code === 'unavailable') this.diagnostics = { phase: 'unavailable' };
      else this.diagnostics = { phase: 'failed', message: t('desktop.diagnostics.failed', { reason: r.message }) };
    } catch {
      this.diagnostics = { phase: 'failed', message: t('common.noAnswer') };
    }
  }

  async showDiagnostics(): Promise<void> {
    this.folderError = null;
    try {
      const r = await this.api.desktop.showDiagnostics();
      if (!r.ok) this.folderError = r.code === 'unavailable' ? t('desktop.onlyInApp') : t('desktop.diagnostics.showFailed', { reason: r.message });
    } catch {
      this.folderError = t('common.noAnswer');
    }
  }

  /** The written zip's size and file count, in the agent's words. */
  private summarize(written: DiagnosticsWritten): string {
    const kb = Math.max(0.1, Math.round(written.bytes / 102.4) / 10);
    return `${t('desktop.diagnostics.size', { size: formatNumber(kb) })} · ${tn('desktop.diagnostics.files', written.entries.length)}`;
  }

  private async refreshState() {
    try {
      const r = await this.api.desktop.state();
      if (r.ok) this.takeState(r.value);
      else if (r.code === 'unavailable') {
        this.installed = false;
        this.stateError = null;
      } else this.stateError = r.message;
    } catch {
      this.stateError = t('common.noAnswer');
    }
  }

  private takeState(state: DesktopState) {
    this.state = state;
    this.installed = true;
    this.stateError = null;
    this.announce();
  }

  /** Once main has tried the hotkey the agent just set, say whether it works: a taken one must not pass unnoticed. */
  private announce() {
    const action = this.lastSet;
    if (!action) return;
    const status = this.state?.hotkeys.find((h) => h.action === action);
    const accelerator = this.desktop.hotkeys[action];
    if (!status || status.accelerator !== accelerator) return;
    const words = { action: actionName(action), keys: acceleratorLabel(accelerator, this.mac) };
    if (status.state === 'taken') {
      this.confirmation = null;
      this.news = t('desktop.hotkeys.news.taken', words);
    } else if (status.state === 'registered') this.news = t('desktop.hotkeys.news.registered', words);
    this.lastSet = null;
  }

  private row(action: HotkeyAction): HotkeyRow {
    const pending = this.pending[action];
    const draft = this.drafts[action];
    const text = pending
      ? t('desktop.hotkeys.pending', { keys: pending.map((m) => keyLabel(m, this.mac)).join('+') })
      : acceleratorLabel(draft ?? this.desktop.hotkeys[action], this.mac);
    const hint = this.hints[action];
    return {
      action,
      label: actionName(action),
      text,
      pending: Boolean(pending),
      hint: hint ? t(hint === 'unknown' ? 'desktop.hotkeys.unknown' : 'desktop.hotkeys.needsModifier') : null,
      error: this.errors[`desktop.hotkeys.${action}`],
      status: this.hotkeyStatus(action),
    };
  }

  private hotkeyStatus(action: HotkeyAction): StatusView {
    if (this.installed === false) return { tone: 'idle', text: t('desktop.onlyInApp'), detail: null };
    if (this.stateError) return { tone: 'problem', text: t('desktop.hotkeys.status.unknown', { reason: this.stateError }), detail: null };
    const accelerator = this.desktop.hotkeys[action];
    const s = this.state?.hotkeys.find((h) => h.action === action);
    // Main has not yet registered what was just saved: its old status would be about another combination.
    if (!s || s.accelerator !== accelerator) return { tone: 'busy', text: t('desktop.hotkeys.status.checking'), detail: null };
    switch (s.state) {
      case 'registered':
        return { tone: 'ok', text: t('desktop.hotkeys.status.registered'), detail: null };
      case 'off':
        return { tone: 'idle', text: t('desktop.hotkeys.status.off'), detail: null };
      case 'taken':
        return { tone: 'problem', text: t('desktop.hotkeys.status.taken'), detail: s.message };
      case 'unsupported':
        return { tone: 'idle', text: t('desktop.hotkeys.status.unsupported'), detail: s.message };
    }
  }

  private autoStartView(): StatusView | null {
    if (this.installed === false) return { tone: 'idle', text: t('desktop.onlyInApp'), detail: null };
    const a = this.state?.autoStart;
    if (!a) return null;
    switch (a.state) {
      case 'on':
        return { tone: 'ok', text: t('desktop.login.state.on'), detail: null };
      case 'off':
        return { tone: 'idle', text: t('desktop.login.state.off'), detail: null };
      case 'unsupported':
        return { tone: 'idle', text: t('desktop.login.state.unsupported'), detail: a.message };
      case 'failed':
        return { tone: 'problem', text: t('desktop.login.state.failed'), detail: a.message };
    }
  }

  private setPending(action: HotkeyAction, modifiers: string[] | null) {
    if (!modifiers && !this.pending[action]) return;
    const next = { ...this.pending };
    if (modifiers) next[action] = modifiers;
    else delete next[action];
    this.pending = next;
  }

  private setHint(action: HotkeyAction, hint: 'needs-modifier' | 'unknown' | null) {
    if (!hint && !this.hints[action]) return;
    const next = { ...this.hints };
    if (hint) next[action] = hint;
    else delete next[action];
    this.hints = next;
  }
}
