/**
 * The UI's whole view of main: one method per action, one `on…` per event,
 * each `on…` returning its unsubscribe. Built over a two-function bridge so
 * the real preload (ipcRenderer) and the headless harness (playwright
 * bindings) expose exactly the same object.
 */
import type { z } from 'zod';
import {
  contract,
  type EventChannel,
  type RequestChannel,
  type Result,
} from './contract';

export interface UiBridge {
  invoke(channel: string, payload: unknown): Promise<Result<unknown>>;
  /** Subscribes to a pushed event; returns the unsubscribe. */
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
}

type Invoker<C extends RequestChannel> = undefined extends z.input<C['request']>
  ? (input?: z.input<C['request']>) => Promise<Result<z.output<C['response']>>>
  : (input: z.input<C['request']>) => Promise<Result<z.output<C['response']>>>;
type Subscriber<C extends EventChannel> = (listener: (payload: z.output<C['payload']>) => void) => () => void;

export function createUiApi(bridge: UiBridge) {
  const call =
    <C extends RequestChannel>(channel: C): Invoker<C> =>
    ((input?: unknown) => bridge.invoke(channel.name, input)) as Invoker<C>;
  const on =
    <C extends EventChannel>(channel: C): Subscriber<C> =>
    (listener) =>
      bridge.subscribe(channel.name, listener as (payload: unknown) => void);

  const { app, settings, line, calls, history, transfer, audio, targets, agent, desktop } = contract;
  return Object.freeze({
    app: Object.freeze({
      info: call(app.info),
      notices: call(app.notices),
      dismissNotice: call(app.dismissNotice),
      onNotice: on(app.noticeAdded),
    }),
    settings: Object.freeze({
      get: call(settings.get),
      update: call(settings.update),
      saveAccount: call(settings.saveAccount),
      removeAccount: call(settings.removeAccount),
      saveProvider: call(settings.saveProvider),
      onChanged: on(settings.changed),
    }),
    line: Object.freeze({
      status: call(line.status),
      reconnect: call(line.reconnect),
      onChanged: on(line.changed),
    }),
    history: Object.freeze({
      page: call(history.page),
      search: call(history.search),
      get: call(history.get),
      addNote: call(history.note),
      setDisposition: call(history.disposition),
      exportCsv: call(history.export),
      missed: call(history.missed),
      markSeen: call(history.markSeen),
      onChanged: on(history.changed),
      onExportProgress: on(history.exportProgress),
      recording: call(history.recording),
      onRecording: on(history.recordingChanged),
    }),
    calls: Object.freeze({
      list: call(calls.list),
      dial: call(calls.dial),
      answer: call(calls.answer),
      decline: call(calls.decline),
      hangup: call(calls.hangup),
      hold: call(calls.hold),
      unhold: call(calls.unhold),
      mute: call(calls.mute),
      unmute: call(calls.unmute),
      dtmf: call(calls.dtmf),
      swap: call(calls.swap),
      onChanged: on(calls.changed),
    }),
    transfer: Object.freeze({
      list: call(transfer.list),
      blind: call(transfer.blind),
      attended: call(transfer.attended),
      complete: call(transfer.complete),
      cancel: call(transfer.cancel),
      swap: call(transfer.swap),
      undo: call(transfer.undo),
      answerRefer: call(transfer.answerRefer),
      onChanged: on(transfer.changed),
    }),
    audio: Object.freeze({
      devices: call(audio.devices),
      previewMusic: call(audio.previewMusic),
      chooseMusicFile: call(audio.chooseMusicFile),
      onDevicesChanged: on(audio.devicesChanged),
    }),
    targets: Object.freeze({
      list: call(targets.list),
      setAgentStatus: call(targets.setAgentStatus),
      onChanged: on(targets.changed),
    }),
    agent: Object.freeze({
      status: call(agent.status),
      set: call(agent.set),
      extendWrapUp: call(agent.extendWrapUp),
      endWrapUp: call(agent.endWrapUp),
      setDoNotDisturb: call(agent.setDoNotDisturb),
      onChanged: on(agent.changed),
    }),
    desktop: Object.freeze({
      state: call(desktop.state),
      takeDialRequest: call(desktop.takeDialRequest),
      exportDiagnostics: call(desktop.exportDiagnostics),
      showDiagnostics: call(desktop.showDiagnostics),
      onChanged: on(desktop.changed),
      onDialRequest: on(desktop.dialRequest),
      onOpenPicker: on(desktop.openPicker),
    }),
    demo: Object.freeze({
      state: call(contract.demo.state),
      start: call(contract.demo.start),
      leave: call(contract.demo.leave),
      setPace: call(contract.demo.setPace),
      sendCaller: call(contract.demo.sendCaller),
      onChanged: on(contract.demo.changed),
    }),
  });
}

export type ConsoleApi = ReturnType<typeof createUiApi>;
