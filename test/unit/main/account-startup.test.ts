/**
 * Start-up with hostile accounts written straight into settings.json (an older
 * console's file, one edited by hand): the core always starts, the line says
 * why it cannot register, and saving a good account registers it — with no
 * unhandled rejection on the way (vitest fails the run on one).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleCore } from '../../../main/core/index';
import type { SecretStore } from '../../../main/settings/secrets';
import type { LineStatus } from '../../../preload/contract';
import { silentMediaHost, startTestCore, untilLine } from '../../support/core';
import { SipMemoryNetwork } from '../../support/sip-memory';

const secrets: SecretStore = {
  isAvailable: () => true,
  seal: (p) => Buffer.from(`x${p}`).toString('base64'),
  open: (s) => Buffer.from(s, 'base64').toString().slice(1),
};
const good = { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', passwordSealed: secrets.seal('pw-1234') };

let dir: string;
let net: SipMemoryNetwork;
let core: ConsoleCore | null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'account-startup-'));
  net = new SipMemoryNetwork();
  core = null;
});
afterEach(async () => {
  await core?.stop();
  net.close();
  rmSync(dir, { recursive: true, force: true });
});

const startWith = async (account: unknown) => {
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ schemaVersion: 1, account }));
  const started = await startTestCore({ dataDir: dir, secrets, media: silentMediaHost(), sip: { socket: () => net.jssipSocket('console') } });
  core = started.core;
  return started.ui;
};

const hostile: Array<[string, Record<string, unknown>, NonNullable<LineStatus['reason']>['code'], RegExp]> = [
  ['an authorization user with CR LF', { authorizationUser: '1001\r\nX-Evil: 1' }, 'wrong-credentials', /authorization user/],
  ['an authorization user with NUL', { authorizationUser: '10\u000001' }, 'wrong-credentials', /authorization user/],
  ['an authorization user with a quote', { authorizationUser: 'a"b' }, 'wrong-credentials', /quotes/],
  ['a quote in the SIP user part', { sipUri: 'sip:10"01@pbx.example.com' }, 'not-found', /SIP address/],
  ['a < in the SIP user part', { sipUri: 'sip:<1001@pbx.example.com' }, 'not-found', /SIP address/],
  ['a dangling parameter quote', { sipUri: 'sip:1001@pbx.example.com;x="' }, 'not-found', /parameter/],
  ['an unusable host', { sipUri: 'sip:1001@-pbx..example' }, 'not-found', /host/],
  ['a broken %-escape', { sipUri: 'sip:%FF@pbx.example.com' }, 'not-found', /user part/],
  ['a sips: address', { sipUri: 'sips:1001@pbx.example.com' }, 'not-found', /sip:/],
  ['an empty SIP address', { sipUri: '' }, 'not-found', /SIP address/],
  ['a WebSocket address with a line break', { wsUrl: 'wss://pbx.exa\nmple.com/ws' }, 'unreachable', /WebSocket address/],
  ['a WebSocket host no SIP host can be', { wsUrl: 'wss://under_score.example.com/ws' }, 'unreachable', /WebSocket address/],
  ['an http address', { wsUrl: 'https://pbx.example.com/ws' }, 'unreachable', /WebSocket address/],
];

describe('a hostile stored account', () => {
  it.each(hostile)('%s: the core starts, the line says why, a good account then registers', async (_what, fields, code, message) => {
    const ui = await startWith({ ...good, ...fields });
    const status = await ui.invoke('line:status');
    expect(status).toMatchObject({ ok: true, value: { state: 'failed', reason: { code, message: expect.stringMatching(message) } } });
    expect((status as { value: LineStatus }).value.reason?.message).toMatch(/Settings/);
    // Everything else answers: the console is usable and the account can be fixed.
    expect(await ui.invoke('settings:get')).toMatchObject({ ok: true });
    expect(await ui.invoke('line:reconnect')).toMatchObject({ ok: true, value: { state: 'failed' } });

    const saved = await ui.invoke('account:save', { wsUrl: good.wsUrl, sipUri: good.sipUri, authorizationUser: '', password: 'pw-1234' });
    expect(saved).toMatchObject({ ok: true, value: { account: { sipUri: good.sipUri, hasPassword: true } } });
    expect(await untilLine(ui, (s) => s.state === 'registered')).toMatchObject({ aor: good.sipUri, reason: null });
  });

  it('a display name with CR LF does not stop the line: it registers with the name made printable', async () => {
    const ui = await startWith({ ...good, displayName: 'Agent\r\nX-Evil: 1' });
    await untilLine(ui, (s) => s.state === 'registered');
    const register = net.trace.find((e) => e.message.method === 'REGISTER')!.message;
    expect(register.headers.has('x-evil')).toBe(false);
    expect(register.headers.get('from')?.[0]).toMatch(/^"Agent X-Evil: 1" <sip:1001@pbx\.example\.com>/);
  });

  it('an account refused on save names the field and leaves the stored one as it was', async () => {
    const ui = await startWith(good);
    await untilLine(ui, (s) => s.state === 'registered');
    const refused = await ui.invoke('account:save', { wsUrl: good.wsUrl, sipUri: good.sipUri, authorizationUser: '1001\r\nX: y' });
    expect(refused).toMatchObject({ ok: false, code: 'invalid-request', fields: { authorizationUser: expect.stringMatching(/line breaks/) } });
    expect(core?.settings.view().account).toMatchObject({ sipUri: good.sipUri, hasPassword: true });
    expect(core?.telephony.lineStatus().state).toBe('registered');
  });
});
