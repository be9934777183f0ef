/**
 * The whole console core (startCore: settings, history, line, call service)
 * taking a real call, for the storage fault tests: its line registers on the
 * in-memory SIP network (test/support/sip-memory.ts), a SIP.js party calls
 * it, the media host is the recording fake that answers every peer-connection
 * operation, and the agent acts through the same channels the UI uses. No
 * socket, no Chromium, no vitest import: the mount-namespace runner
 * (./storage-fault-runner.ts) starts it in a child process too.
 */
import type { CallSnapshot, RecordingStatus } from '../../preload/contract';
import type { CorePorts } from '../../main/core/index';
import { startTestCore, type TestCore } from '../support/core';
import { SipMemoryNetwork } from '../support/sip-memory';
import { eventually, SipJsPeer } from '../support/sip-memory-peer';
import { FakeMediaHost } from './proxy-fake-host';

const domain = 'memory.test';

export interface ConsoleRig extends TestCore {
  net: SipMemoryNetwork;
  customer: SipJsPeer;
  /**
   * The agent calls the customer, who answers: resolves with the console's call id once established.
   * (Outgoing: the fake media host's offer is the console's own; an incoming SIP.js offer has no ICE or
   * DTLS and the console rightly refuses it with 488.)
   */
  callOut(): Promise<string>;
  /**
   * The agent acts on a call through the UI's channels and waits until it took effect (held,
   * resumed, gone); throws main's refusal.
   */
  act(action: 'hold' | 'unhold' | 'hangup', callId: string): Promise<void>;
  /** Resolves once main pushed a recording status that matches. */
  recording(pred: (s: RecordingStatus) => boolean, what: string, timeoutMs?: number): Promise<RecordingStatus>;
  stop(): Promise<void>;
}

export async function startConsoleRig(dataDir: string, ports: Partial<Omit<CorePorts, 'ui'>> = {}): Promise<ConsoleRig> {
  const net = new SipMemoryNetwork({ domain });
  const host = new FakeMediaHost();
  const started = await startTestCore({
    dataDir,
    media: host.link,
    sip: { keepAliveMs: 0, socket: () => net.jssipSocket('console') },
    history: { probe: { firstMs: 50, maxMs: 400 } },
    ...ports,
  });
  const { core, ui } = started;
  const saved = await ui.invoke('account:save', { wsUrl: `ws://${domain}`, sipUri: `sip:1001@${domain}`, password: 'unused' });
  if (!saved.ok) throw new Error(`account not saved: ${saved.message}`);
  await ui.until(() => ui.pushed<{ state: string }>('line:changed').some((s) => s.state === 'registered'), { timeoutMs: 5000, what: 'the line to register' });
  const customer = await SipJsPeer.start(net, 'customer');

  const calls = () => ui.pushed<CallSnapshot[]>('calls:changed').at(-1) ?? [];
  const act = async (action: 'answer' | 'hold' | 'unhold' | 'hangup', callId: string) => {
    const r = await ui.invoke(`calls:${action}`, { callId });
    if (!r.ok) throw new Error(`calls:${action} refused: ${r.code} ${r.message}`);
  };
  return {
    ...started,
    net,
    customer,
    async callOut() {
      const r = await ui.invoke('calls:dial', { target: customer.aor });
      if (!r.ok) throw new Error(`calls:dial refused: ${r.code} ${r.message}`);
      const id = (r.value as CallSnapshot).id;
      await eventually(() => calls().find((c) => c.id === id && c.state === 'established'), 'the call to be established');
      return id;
    },
    async act(action, callId) {
      await act(action, callId);
      const done = (c: CallSnapshot | undefined) =>
        action === 'hangup' ? c === undefined || c.state === 'ended' : c !== undefined && !c.holdPending && c.hold.local === (action === 'hold');
      await eventually(() => done(calls().find((c) => c.id === callId)), `${action} to take effect on ${callId}`);
    },
    async recording(pred, what, timeoutMs = 8000) {
      const pushed = () => ui.pushed<RecordingStatus>('history:recording-changed');
      return ui.until(() => pushed().find(pred), { timeoutMs, what, detail: () => JSON.stringify(pushed().at(-1) ?? null) });
    },
    async stop() {
      await customer.stop().catch(() => undefined);
      await core.stop();
      net.close();
    },
  };
}

/** The call's history row and timeline as the history screen reads them (history:page, history:get). */
export async function storedCall(ui: TestCore['ui'], callId: string) {
  const page = await ui.invoke('history:page', { limit: 200 });
  if (!page.ok) throw new Error(`history:page refused: ${page.code} ${page.message}`);
  const row = (page.value as { items: Array<{ id: number; callId: string }> }).items.filter((c) => c.callId === callId);
  if (row.length !== 1) return { rows: row.length, detail: null };
  const detail = await ui.invoke('history:get', row[0]!.id);
  if (!detail.ok) throw new Error(`history:get refused: ${detail.code} ${detail.message}`);
  return { rows: 1, detail: detail.value as { call: Record<string, unknown>; holds: Array<Record<string, unknown>>; transfers: unknown[] } };
}
