import { SvelteSet } from 'svelte/reactivity';
import type { AccountInput, AccountView, Err } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import { t } from '../i18n/index.svelte';
import { checkAccount, type AccountField, type AccountFormValues, type FieldErrors } from './account-checks';
import type { LineModel } from './line.svelte';

const empty = (): AccountFormValues => ({
  wsUrl: '',
  sipUri: '',
  authorizationUser: '',
  password: '',
  displayName: '',
  acceptSelfSigned: false,
  caFile: '',
});
const fieldNames: readonly AccountField[] = ['wsUrl', 'sipUri', 'authorizationUser', 'password', 'displayName', 'acceptSelfSigned', 'caFile'];

/**
 * The SIP account form. The password is write-only: the field starts empty,
 * empty means "keep the saved one", and only `hasPassword` comes back from main.
 *
 * Saving an account only stores it; whether the line then registers is the
 * line's news. With a line to follow (`followLine`), the form shows that
 * outcome — registering, registered, or the failure and what to do — instead
 * of leaving it to the header.
 */
export class AccountFormModel {
  values = $state<AccountFormValues>(empty());
  /** Messages shown under each field: client checks after blur/submit, then main's field errors. */
  errors = $state.raw<FieldErrors>({});
  /** A failure not tied to one field (storage, internal). */
  formError = $state<string | null>(null);
  saving = $state(false);
  /** Short confirmation after a successful save, announced politely. */
  confirmation = $state<string | null>(null);
  saved = $state.raw<AccountView | null>(null);
  /** Fields the agent has left at least once: only those are checked while typing. */
  private readonly touched = new SvelteSet<AccountField>();

  readonly hasPassword = $derived(this.saved?.hasPassword ?? false);
  readonly configured = $derived(this.saved !== null);
  private line = $state.raw<LineModel | null>(null);
  /** The line as it is now, told beside the form; null without an account or a line to follow. */
  readonly lineOutcome = $derived(this.configured ? (this.line?.outcome ?? null) : null);
  /** Main refused "try again" (e.g. the account went away meanwhile). */
  retryError = $state<string | null>(null);

  constructor(private readonly api: ConsoleApi) {}

  /** The line whose outcome the form shows; its owner starts and stops it. */
  followLine(line: LineModel) {
    this.line = line;
  }

  /** Registers again now (after the agent fixed something on the server side). */
  async retryLine() {
    this.retryError = null;
    const r = await this.line?.reconnect();
    if (r && !r.ok) this.retryError = r.message;
  }

  /** Shows what main has stored (never a password). */
  load(account: AccountView | null) {
    this.saved = account;
    this.values = {
      ...empty(),
      ...(account && {
        wsUrl: account.wsUrl,
        sipUri: account.sipUri,
        authorizationUser: account.authorizationUser ?? '',
        displayName: account.displayName ?? '',
        acceptSelfSigned: account.acceptSelfSigned,
        caFile: account.caFile ?? '',
      }),
    };
    this.errors = {};
    this.touched.clear();
  }

  set<K extends AccountField>(field: K, value: AccountFormValues[K]) {
    this.values[field] = value;
    this.confirmation = null;
    // Re-check only fields the agent already left, so nobody is scolded mid-word.
    if (this.touched.has(field) || this.errors[field]) this.errors = this.withClientCheck(field);
  }

  blur(field: AccountField) {
    this.touched.add(field);
    this.errors = this.withClientCheck(field);
  }

  private withClientCheck(field: AccountField): FieldErrors {
    const next = { ...this.errors };
    const message = checkAccount(this.values)[field];
    if (message) next[field] = message;
    else delete next[field];
    return next;
  }

  /** Returns the first field with an error (for focus), or null when saved. */
  async save(): Promise<AccountField | null> {
    this.formError = null;
    this.confirmation = null;
    for (const f of fieldNames) this.touched.add(f);
    const clientErrors = checkAccount(this.values);
    this.errors = clientErrors;
    const first = fieldNames.find((f) => clientErrors[f]);
    if (first) return first;

    const v = this.values;
    const input: AccountInput = {
      wsUrl: v.wsUrl.trim(),
      sipUri: v.sipUri.trim(),
      authorizationUser: v.authorizationUser.trim(),
      displayName: v.displayName.trim(),
      acceptSelfSigned: v.acceptSelfSigned,
      // Empty: no custom CA — omitted, and the saved account is replaced whole, so a cleared field removes it.
      ...(v.caFile.trim() !== '' && { caFile: v.caFile.trim() }),
      // Empty password field: keep the stored one (the field never shows it).
      ...(v.password !== '' && { password: v.password }),
    };
    this.saving = true;
    try {
      const r = await this.api.settings.saveAccount(input);
      if (r.ok) {
        this.load(r.value.account);
        this.confirmation = t('settings.account.saved');
        this.retryError = null;
        // Main restarted the line: read its state now rather than show the old line's until a push.
        void this.line?.refresh();
        return null;
      }
      return this.showError(r);
    } catch {
      this.formError = t('common.noAnswer');
      return null;
    } finally {
      this.saving = false;
    }
  }

  async remove() {
    this.formError = null;
    const r = await this.api.settings.removeAccount();
    if (r.ok) {
      this.load(r.value.account);
      this.confirmation = t('settings.account.removed');
    } else this.showError(r);
  }

  private showError(e: Err): AccountField | null {
    const fields: FieldErrors = {};
    for (const [path, message] of Object.entries(e.fields ?? {})) {
      const field = fieldNames.find((f) => f === path.split('.')[0]);
      if (field) fields[field] = message;
    }
    this.errors = fields;
    const first = fieldNames.find((f) => fields[f]) ?? null;
    this.formError = first && e.code === 'invalid-request' ? t('settings.account.checkFields') : e.message;
    return first;
  }
}
