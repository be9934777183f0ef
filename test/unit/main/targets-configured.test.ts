/**
 * Transfer targets before any live provider: the queues and colleagues the
 * admin configured, through the real core — saved as preferences (validated:
 * bad addresses, duplicate names and oversized lists refused under the field,
 * nothing saved), listed by targets:list, pushed as targets:changed only when
 * they change, and still there after a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TargetsView } from '../../../preload/contract';
import type { ConsoleCore } from '../../../main/core/index';
import { configuredView } from '../../../main/targets/configured';
import { startTestCore } from '../../support/core';

let dir: string;
let core: ConsoleCore | null;
const start = async () => {
  const started = await startTestCore({ dataDir: dir, now: () => 5_000 });
  core = started.core;
  return started.ui;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'targets-test-'));
  core = null;
});
afterEach(async () => {
  await core?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const support = { name: 'Support', address: '2000' };
const billing = { name: 'Billing', address: 'sip:billing@pbx.example.com' };
const bob = { name: 'Bob Li', address: '2001' };

describe('configured transfer targets', () => {
  it('a fresh console lists none, as configured data without live figures', async () => {
    const ui = await start();
    expect(await ui.invoke('targets:list')).toEqual({
      ok: true,
      value: { provider: 'configured', state: 'configured', reason: null, queues: [], colleagues: [], agentStatus: null, updatedAt: 5_000 },
    });
  });

  it('saved queues and colleagues are listed, pushed once, and kept across a restart', async () => {
    const ui = await start();
    const saved = await ui.invoke('settings:update', { targets: { queues: [support, billing], colleagues: [bob] } });
    expect(saved.ok).toBe(true);
    const pushed = ui.pushed('targets:changed') as TargetsView[];
    expect(pushed).toHaveLength(1);
    expect(pushed[0]!.queues).toEqual([
      { id: 'queue:support', name: 'Support', address: '2000', waiting: null, longestWaitSec: null, availableAgents: null },
      { id: 'queue:billing', name: 'Billing', address: 'sip:billing@pbx.example.com', waiting: null, longestWaitSec: null, availableAgents: null },
    ]);
    expect(pushed[0]!.colleagues).toEqual([{ id: 'colleague:bob li', name: 'Bob Li', address: '2001', presence: 'unknown' }]);
    // Another preference changing does not re-push an unchanged list.
    await ui.invoke('settings:update', { calls: { dtmf: 'rfc2833' } });
    expect(ui.pushed('targets:changed')).toHaveLength(1);

    await core!.stop();
    const again = await start();
    const listed = (await again.invoke('targets:list')) as { ok: true; value: TargetsView };
    expect(listed.value.queues.map((q) => q.name)).toEqual(['Support', 'Billing']);
  });

  it.each([
    ['an address that is neither a number nor a SIP address', { queues: [{ name: 'Sales', address: 'sales desk' }] }, /number .* or a SIP address/],
    ['an address carrying headers', { colleagues: [{ name: 'Eve', address: 'sip:eve@pbx.test?Replaces=x' }] }, /number .* or a SIP address/],
    ['two queues with the same name', { queues: [support, { name: 'support', address: '2009' }] }, /same name/],
    ['an empty name', { colleagues: [{ name: '  ', address: '2001' }] }, /needs a name/],
    ['a name of 81 characters', { colleagues: [{ name: 'x'.repeat(81), address: '2001' }] }, /limited to 80/],
    ['201 queues', { queues: Array.from({ length: 201 }, (_, i) => ({ name: `Q${i}`, address: `${3000 + i}` })) }, /At most 200/],
  ])('refuses %s under the field, saving nothing', async (_what, targets, message) => {
    const ui = await start();
    const r = await ui.invoke('settings:update', { targets });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('invalid-request');
    expect(Object.entries(r.fields ?? {}).some(([field, text]) => field.startsWith('targets.') && message.test(text))).toBe(true);
    expect(ui.pushed('targets:changed')).toEqual([]);
    const listed = (await ui.invoke('targets:list')) as { ok: true; value: TargetsView };
    expect(listed.value.queues).toEqual([]);
  });

  it('provider:save names a live provider; one this console cannot start yet says so in the view, and the list stays', async () => {
    const ui = await start();
    await ui.invoke('settings:update', { targets: { queues: [support] } });
    const saved = await ui.invoke('provider:save', { kind: 'sip' });
    expect(saved).toMatchObject({ ok: true, value: { provider: { kind: 'sip' } } });
    const view = await ui.until(() => (ui.pushed('targets:changed') as TargetsView[]).find((v) => v.provider === 'sip'));
    expect(view).toMatchObject({ state: 'failed', queues: [{ name: 'Support' }] });
    expect(view.reason).toBeTruthy();
    const bad = await ui.invoke('provider:save', { kind: 'voipbin', apiUrl: 'http://api.voipbin.net/v1.0', login: { method: 'accesskey' } });
    expect(bad).toMatchObject({ ok: false, code: 'invalid-request', fields: { apiUrl: expect.stringMatching(/https:\/\//) } });
  });

  it('ids stay with the name when other entries change (the UI keys its list by them)', () => {
    const a = configuredView({ queues: [support, billing], colleagues: [] }, 1);
    const b = configuredView({ queues: [billing], colleagues: [] }, 2);
    expect(b.queues[0]!.id).toBe(a.queues[1]!.id);
  });
});
