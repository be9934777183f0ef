import type { Err, ProviderInput, ProviderView, TargetsView } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import { t } from '../i18n/index.svelte';

export type ProviderKind = ProviderView['kind'];
export type LoginMethod = 'password' | 'accesskey';
/** What happens to a stored secret on save: kept as it is, replaced by what was typed, or removed. */
export type SecretAction = 'keep' | 'replace' | 'remove';
/** The form's fields, as main names them in its refusals (`apiUrl`, `login.username`, …). */
export type ProviderField = 'kind' | 'apiUrl' | 'login.username' | 'login.secret';

export interface ProviderDraft {
  kind: ProviderKind;
  apiUrl: string;
  method: LoginMethod;
  username: string;
  /** Typed only, never filled from main: secrets are write-only. */
  secret: string;
}

/** The provider's own state, from targets:list / targets:changed: is it working? */
export type ProviderStatus = Pick<TargetsView, 'provider' | 'state' | 'reason'>;

const draftOf = (view: ProviderView): ProviderDraft => ({
  kind: view.kind,
  apiUrl: view.kind === 'voipbin' ? view.apiUrl : '',
  method: view.kind === 'voipbin' ? view.method : 'password',
  username: view.kind === 'voipbin' ? (view.username ?? '') : '',
  secret: '',
});

/**
 * Where queues, colleagues and the agent's status come from: the configured
 * list, the SIP platform's busy-lamp field, or VoIPBIN's API
 * (docs/targets.md). Saved through provider:save as a whole. The VoIPBIN
 * password or access key is write-only like the SIP password: the form knows
 * only whether one is stored, for the same login as on screen (main does not
 * hand a stored secret to a changed login either), and the agent keeps,
 * replaces or removes it. After a save the provider's own state (connecting,
 * live, failed and why) is shown, read from the targets view.
 */
export class ProviderSettingsModel {
  saved = $state.raw<ProviderView>({ kind: 'configured' });
  draft = $state<ProviderDraft>(draftOf({ kind: 'configured' }));
  secretAction = $state<SecretAction>('keep');
  errors = $state.raw<Partial<Record<ProviderField, string>>>({});
  formError = $state<string | null>(null);
  confirmation = $state<string | null>(null);
  saving = $state(false);
  status = $state.raw<ProviderStatus | null>(null);

  /** A secret is stored for exactly the login on screen: it can be kept. */
  readonly hasStoredSecret = $derived(
    this.saved.kind === 'voipbin' &&
      this.saved.hasSecret &&
      this.draft.kind === 'voipbin' &&
      this.saved.method === this.draft.method &&
      (this.draft.method === 'accesskey' || (this.saved.username ?? '') === this.draft.username.trim()),
  );
  /** The secret field is shown: no stored secret to keep, or the agent chose to replace it. */
  readonly secretEditable = $derived(!this.hasStoredSecret || this.secretAction === 'replace');
  readonly dirty = $derived(this.isDirty());

  constructor(private readonly api: ConsoleApi) {}

  /** Loads the saved provider and its state; follows main's pushes. Returns the dispose. */
  start(): () => void {
    const stops = [
      this.api.settings.onChanged((view) => this.load(view.provider)),
      this.api.targets.onChanged((view) => (this.status = statusOf(view))),
    ];
    void this.api.settings.get().then((r) => {
      if (r.ok) this.load(r.value.provider);
    });
    void this.api.targets.list().then((r) => {
      if (r.ok) this.status = statusOf(r.value);
    });
    return () => {
      for (const stop of stops) stop();
    };
  }

  /** Shows what main has stored (never a secret); unsaved edits stay while the agent is at them. */
  load(view: ProviderView | undefined) {
    const next = view ?? { kind: 'configured' };
    const wasDirty = this.dirty;
    this.saved = next;
    if (!wasDirty && !this.saving) this.resetDraft();
  }

  set<K extends keyof ProviderDraft>(field: K, value: ProviderDraft[K]) {
    this.draft[field] = value;
    this.confirmation = null;
    this.clear(fieldOf(field));
  }

  chooseSecretAction(action: SecretAction) {
    this.secretAction = action;
    this.draft.secret = '';
    this.confirmation = null;
    this.clear('login.secret');
  }

  /** Drops unsaved edits. */
  revert() {
    this.resetDraft();
    this.errors = {};
    this.formError = null;
  }

  /** Returns the first field with a message (to focus it), or null when saved or refused as a whole. */
  async save(): Promise<ProviderField | null> {
    this.formError = null;
    this.confirmation = null;
    const problems = this.check();
    this.errors = problems;
    const first = fieldOrder.find((f) => problems[f]);
    if (first) return first;
    this.saving = true;
    try {
      const r = await this.api.settings.saveProvider(this.input());
      if (!r.ok) return this.showError(r);
      this.saved = r.value.provider;
      this.resetDraft();
      this.confirmation = t('settings.provider.saved');
      // The provider restarts: read its state now rather than show the old one's until a push.
      void this.api.targets.list().then((l) => {
        if (l.ok) this.status = statusOf(l.value);
      });
      return null;
    } catch {
      this.formError = t('common.noAnswer');
      return null;
    } finally {
      this.saving = false;
    }
  }

  private input(): ProviderInput {
    const d = this.draft;
    if (d.kind !== 'voipbin') return { kind: d.kind };
    // Omitted keeps the stored secret, '' removes it (preload/contract/settings.ts).
    const secret = this.secretEditable ? (d.secret === '' ? undefined : d.secret) : this.secretAction === 'remove' ? '' : undefined;
    const login =
      d.method === 'password'
        ? { method: 'password' as const, username: d.username.trim(), ...(secret !== undefined && { password: secret }) }
        : { method: 'accesskey' as const, ...(secret !== undefined && { accessKey: secret }) };
    return { kind: 'voipbin', apiUrl: d.apiUrl.trim(), login };
  }

  /** The instant rules; main checks the address and the lengths again and its messages win. */
  private check(): Partial<Record<ProviderField, string>> {
    const d = this.draft;
    const problems: Partial<Record<ProviderField, string>> = {};
    if (d.kind !== 'voipbin') return problems;
    const url = d.apiUrl.trim();
    if (url === '') problems.apiUrl = t('settings.provider.check.apiUrlEmpty');
    else if (!/^https?:\/\/[^/\s]+/i.test(url)) problems.apiUrl = t('settings.provider.check.apiUrlScheme');
    if (d.method === 'password' && d.username.trim() === '') problems['login.username'] = t('settings.provider.check.usernameEmpty');
    // Without a secret the platform cannot be reached; removing the stored one is the agent's explicit choice.
    if (this.secretEditable && d.secret === '') {
      problems['login.secret'] = t(d.method === 'password' ? 'settings.provider.check.passwordEmpty' : 'settings.provider.check.accessKeyEmpty');
    }
    return problems;
  }

  private showError(e: Err): ProviderField | null {
    const fields: Partial<Record<ProviderField, string>> = {};
    for (const [path, message] of Object.entries(e.fields ?? {})) {
      const field = pathToField(path);
      if (field && !fields[field]) fields[field] = message;
    }
    this.errors = fields;
    const first = fieldOrder.find((f) => fields[f]) ?? null;
    this.formError = first && e.code === 'invalid-request' ? t('settings.provider.checkFields') : e.message;
    return first;
  }

  private resetDraft() {
    this.draft = draftOf(this.saved);
    this.secretAction = 'keep';
  }

  private isDirty(): boolean {
    const base = draftOf(this.saved);
    const d = this.draft;
    if (d.kind !== base.kind) return true;
    if (d.kind !== 'voipbin') return false;
    return d.apiUrl !== base.apiUrl || d.method !== base.method || d.username !== base.username || d.secret !== '' || this.secretAction !== 'keep';
  }

  private clear(field: ProviderField | null) {
    if (!field || !this.errors[field]) return;
    const next = { ...this.errors };
    delete next[field];
    this.errors = next;
  }
}

const fieldOrder: readonly ProviderField[] = ['kind', 'apiUrl', 'login.username', 'login.secret'];

function fieldOf(draftField: keyof ProviderDraft): ProviderField | null {
  switch (draftField) {
    case 'kind':
      return 'kind';
    case 'apiUrl':
      return 'apiUrl';
    case 'username':
      return 'login.username';
    case 'secret':
      return 'login.secret';
    case 'method':
      return null;
  }
}

/** Main's paths (`login.password`, `login.accessKey`, `login.method`) onto the form's fields. */
function pathToField(path: string): ProviderField | null {
  if (path === 'kind') return 'kind';
  if (path === 'apiUrl') return 'apiUrl';
  if (path === 'login.username') return 'login.username';
  if (path === 'login.password' || path === 'login.accessKey') return 'login.secret';
  return null;
}

const statusOf = (view: TargetsView): ProviderStatus => ({ provider: view.provider, state: view.state, reason: view.reason });
