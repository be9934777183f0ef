import type { AppInfo, CallSnapshot } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import { t } from '../i18n/index.svelte';
import { AgentModel } from './agent.svelte';
import { announceIncoming, announceOutcomes } from './announcements';
import { Announcer } from './announcer.svelte';
import { AppearanceModel } from './appearance.svelte';
import { groupCalls, partyName, ringingCalls, type CallGroup } from './call-view';
import { CallsModel } from './calls.svelte';
import { DragModel } from './drag.svelte';
import { HistoryModel } from './history.svelte';
import { LineModel } from './line.svelte';
import { NoticesModel } from './notices.svelte';
import { RecordingModel } from './recording.svelte';
import { PickerModel } from './picker.svelte';
import { SettingsModels } from './settings.svelte';
import { TargetsModel } from './targets.svelte';
import { TransferModel } from './transfer.svelte';
import { DemoModel } from './demo.svelte';

export type ConsoleView = 'calls' | 'history' | 'settings';

/**
 * The UI's root state: one instance per window over window.consoleApi. It
 * builds every sub-model once, starts them once (`start()`), and disposes
 * them together; components get what they show from here and stay
 * presentational. It also keeps what spans views: which view is open, the
 * window title, and what the live region announces.
 */
export class ConsoleModel {
  readonly line: LineModel;
  readonly appearance: AppearanceModel;
  readonly notices: NoticesModel;
  /** Whether calls are being recorded (the banner under the header). */
  readonly recording: RecordingModel;
  readonly agent: AgentModel;
  readonly announcer = new Announcer();
  readonly calls: CallsModel;
  readonly transfers: TransferModel;
  readonly targets: TargetsModel;
  readonly drag: DragModel;
  readonly picker: PickerModel;
  /** Replaced by a fresh one when the demo starts or ends: the history behind the window is another (docs/demo.md). */
  history = $state.raw<HistoryModel>(undefined as unknown as HistoryModel);
  readonly settings: SettingsModels;
  readonly demo: DemoModel;
  /** No account yet and the demo can run: the calls view shows the first-run screen (FirstRun.svelte). */
  readonly firstRun: boolean;
  /** Main said whether an account exists: until then no first-run screen flashes for an agent who has one. */
  private accountChecked = $state(false);
  info = $state.raw<AppInfo | null>(null);
  view = $state<ConsoleView>('calls');
  helpOpen = $state(false);

  /** Cards of the calls column: consult legs inside their caller's card. */
  readonly groups: CallGroup[];
  readonly ringing: CallSnapshot[];
  /** The window title says a call rings or is up, so the taskbar shows it from any view. */
  readonly title: string;

  private stops: Array<() => void> = [];
  private viewChosen = false;
  private started = false;

  constructor(private readonly api: ConsoleApi) {
    this.line = new LineModel(api);
    this.appearance = new AppearanceModel(api);
    this.notices = new NoticesModel(api);
    this.recording = new RecordingModel(api);
    this.agent = new AgentModel(api);
    this.calls = new CallsModel(api);
    this.transfers = new TransferModel(api);
    this.targets = new TargetsModel(api);
    this.drag = new DragModel(api, this.transfers);
    this.picker = new PickerModel(this.targets, this.transfers);
    this.history = new HistoryModel(api);
    this.settings = new SettingsModels(api, { line: this.line, appearance: this.appearance });
    this.demo = new DemoModel(api);
    this.firstRun = $derived(this.view === 'calls' && this.accountChecked && !this.settings.account.configured && this.demo.available && !this.demo.inDemo);
    this.groups = $derived(groupCalls(this.calls.list, this.transfers.byCall));
    this.ringing = $derived(ringingCalls(this.calls.list));
    this.title = $derived.by(() => {
      const app = this.info?.name ?? t('app.name');
      const ring = this.ringing[0];
      if (ring) return t('calls.title.ringing', { name: partyName(ring), app });
      const talking = this.calls.list.find((c) => c.state === 'established' && !c.hold.local);
      return talking ? t('calls.title.inCall', { name: partyName(talking), app }) : app;
    });
  }

  /** Starts every sub-model once; returns the dispose. */
  start(): () => void {
    if (this.started) return () => this.dispose();
    this.started = true;
    this.stops.push(
      // The theme and language first: nothing paints in the wrong one.
      this.appearance.start(),
      this.line.start(),
      this.notices.start(),
      this.recording.start(),
      this.agent.start(),
      this.calls.start(),
      this.transfers.start(),
      this.targets.start(),
      this.drag.start(),
      this.picker.start(),
      this.history.start(),
      this.settings.start(),
      announceIncoming(this.api, (text) => this.announcer.say(text)),
      announceOutcomes(this.api, (text) => this.announcer.say(text)),
      this.followDesktop(),
      this.demo.start(),
      this.followDemoHistory(),
    );
    void Promise.all([this.api.settings.get(), this.demo.load()]).then(([r, demo]) => {
      // First start: nothing to do before a SIP account exists — unless something already chose a view
      // (a tel: link, a ringing call's Answer), which the agent must see. Where the demo can run, the
      // calls view offers it first (the first-run screen).
      if (r.ok && !r.value.account && !this.viewChosen && !demo?.available) this.view = 'settings';
      this.accountChecked = r.ok;
    });
    void this.api.app.info().then((r) => {
      if (r.ok) this.info = r.value;
    });
    return () => this.dispose();
  }

  dispose() {
    for (const stop of this.stops.splice(0).reverse()) stop();
    this.started = false;
  }

  show(view: ConsoleView) {
    this.viewChosen = true;
    this.view = view;
    if (view !== 'calls') this.picker.close();
  }

  /**
   * What the desktop layer hands the window: a tel:/sip: link or --dial number (pre-filled, never
   * dialled — taken from main so a second window or a reload does not fill it twice), and the
   * transfer hotkey (the picker for that call).
   */
  private followDesktop(): () => void {
    const take = () =>
      void this.api.desktop.takeDialRequest().then((r) => {
        if (r.ok && r.value) this.prefillDialer(r.value.number);
      });
    const offDial = this.api.desktop.onDialRequest(take);
    const offPicker = this.api.desktop.onOpenPicker(({ callId }) => {
      const call = this.calls.list.find((c) => c.id === callId);
      if (!call || !this.transfers.canStart(callId)) return;
      this.show('calls');
      this.picker.open(callId, partyName(call));
    });
    take();
    return () => {
      offDial();
      offPicker();
    };
  }

  /**
   * Entering or leaving the demo switches main to another history (the demo's own file): the window
   * starts a fresh history list on it, rather than comparing call ids of two different files.
   */
  private followDemoHistory(): () => void {
    let inDemo: boolean | null = null;
    let stopSwapped: (() => void) | null = null;
    const follow = (state: string) => {
      const now = state === 'on';
      if (inDemo === null || now === inDemo) {
        inDemo ??= now;
        return;
      }
      inDemo = now;
      stopSwapped?.();
      this.history.dispose();
      this.history = new HistoryModel(this.api);
      stopSwapped = this.history.start();
    };
    const off = this.api.demo.onChanged((v) => follow(v.state));
    void this.demo.load().then((v) => {
      if (v && inDemo === null) inDemo = v.state === 'on';
    });
    return () => {
      off();
      stopSwapped?.();
    };
  }

  /** A number from history (call back) or a dropped row: in the dialer, ready, not dialled. */
  prefillDialer(number: string) {
    this.show('calls');
    this.calls.prefill(number);
  }
}
