import { describe, expect, it } from 'vitest';
import { contract, err, errSchema } from '../../../preload/contract';
import { zodFieldErrors } from '../../../main/ipc/router';
import { lineAccountProblem, sipDisplayName } from '../../../main/sip/line-account';

const account = contract.settings.saveAccount.request;
const patch = contract.settings.update.request;
const valid = {
  wsUrl: 'wss://pbx.example.com:8089/ws',
  sipUri: 'sip:1001@pbx.example.com',
  authorizationUser: '1001',
  password: 'hunter2',
  displayName: 'Agent 1001',
  acceptSelfSigned: false,
};
const fieldsOf = (value: unknown) => {
  const r = account.safeParse(value);
  return r.success ? {} : zodFieldErrors(r.error);
};

describe('account:save request', () => {
  it('accepts a complete account and trims text', () => {
    const r = account.parse({ ...valid, wsUrl: '  ws://127.0.0.1:5066  ', displayName: ' Agent ' });
    expect(r.wsUrl).toBe('ws://127.0.0.1:5066');
    expect(r.displayName).toBe('Agent');
  });

  it('needs only the WebSocket URL and SIP URI; empty optional text means "not set"', () => {
    const r = account.parse({ wsUrl: valid.wsUrl, sipUri: valid.sipUri, authorizationUser: '', displayName: '' });
    expect(r).toEqual({ wsUrl: valid.wsUrl, sipUri: valid.sipUri, authorizationUser: undefined, displayName: undefined, acceptSelfSigned: false });
  });

  it.each(['http://pbx.example.com', 'https://pbx.example.com/ws', 'sip:pbx.example.com', 'ftp://x', 'wss://', 'pbx.example.com:8089', 'javascript:alert(1)', '', '   '])(
    'refuses WebSocket URL %j with a message naming the field',
    (wsUrl) => {
      const fields = fieldsOf({ ...valid, wsUrl });
      expect(fields['wsUrl']).toMatch(/wss:\/\//);
    },
  );

  it.each(['sip:pbx.example.com', '1001@pbx.example.com', 'sip:@pbx.example.com', 'sip:1001@', 'sip:10 01@pbx', 'tel:+15551234', 'sip:1001@pbx.example.com:123456', '', 'http://1001@pbx'])(
    'refuses SIP URI %j',
    (sipUri) => {
      expect(fieldsOf({ ...valid, sipUri })['sipUri']).toMatch(/SIP address/);
    },
  );

  it.each(['sip:1001@pbx.example.com', 'sip:agent.smith@10.0.0.5:5061', 'sip:+4930123@pbx;transport=ws', 'SIP:1001@[2001:db8::1]'])('accepts SIP URI %j', (sipUri) => {
    expect(account.safeParse({ ...valid, sipUri }).success).toBe(true);
  });

  it.each(['wsUrl', 'sipUri', 'authorizationUser', 'password', 'displayName'])('refuses a 10 kB %s with a field message', (key) => {
    const fields = fieldsOf({ ...valid, [key]: 'a'.repeat(10_240) });
    expect(Object.keys(fields)).toEqual([key]);
  });

  // JSON (a hand-edited file, an IPC payload) can carry half a surrogate pair; UTF-8 would send U+FFFD in its place.
  it.each(['authorizationUser', 'displayName'])('refuses half a surrogate pair in %s, and keeps a whole emoji', (key) => {
    for (const half of ['\ud83d', '\ude00', 'a\ud83d;\ude00a']) expect(Object.keys(fieldsOf({ ...valid, [key]: `x${half}` }))).toEqual([key]);
    expect(account.parse({ ...valid, [key]: 'Desk 😀' })[key as 'displayName']).toBe('Desk 😀');
  });

  it('names the stored display name without half surrogates, and quotes a stored address without them', () => {
    expect(sipDisplayName('Eve \ud83d Stone\ude00')).toBe('Eve Stone');
    expect(sipDisplayName('Eve 😀')).toBe('Eve 😀');
    expect(lineAccountProblem({ wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', authorizationUser: 'a\ud83d' })?.code).toBe('wrong-credentials');
  });

  it('refuses a self-signed switch that is not a boolean, and unknown keys', () => {
    expect(fieldsOf({ ...valid, acceptSelfSigned: 'true' })['acceptSelfSigned']).toBeDefined();
    expect(fieldsOf({ ...valid, passwordSealed: 'AAAA' })['passwordSealed']).toMatch(/not allowed/);
  });

  it('reports both missing required fields at once', () => {
    expect(Object.keys(fieldsOf({}))).toEqual(['wsUrl', 'sipUri']);
  });

  it('keeps "omitted password" (keep stored) distinct from "empty password" (remove)', () => {
    expect(account.parse({ wsUrl: valid.wsUrl, sipUri: valid.sipUri }).password).toBeUndefined();
    expect(account.parse({ ...valid, password: '' }).password).toBe('');
  });
});

describe('settings:update request', () => {
  it('accepts a partial patch of one leaf', () => {
    expect(patch.parse({ holdMusic: { volume: 0.25 } })).toEqual({ holdMusic: { volume: 0.25 } });
    expect(patch.parse({})).toEqual({});
    expect(patch.parse({ history: { retentionDays: null } })).toEqual({ history: { retentionDays: null } });
  });

  it.each([
    [{ volume: 0.5 }, 'volume'],
    [{ audio: { volume: 0.5 } }, 'audio.volume'],
    [{ holdMusic: { volume: 1.5 } }, 'holdMusic.volume'],
    [{ holdMusic: { volume: '0.5' } }, 'holdMusic.volume'],
    [{ transfer: { safeBlindTimeoutSec: 4 } }, 'transfer.safeBlindTimeoutSec'],
    [{ transfer: { safeBlindTimeoutSec: 30.5 } }, 'transfer.safeBlindTimeoutSec'],
    [{ transfer: { incomingRefer: 'always' } }, 'transfer.incomingRefer'],
    [{ calls: { dtmf: 'sip' } }, 'calls.dtmf'],
    [{ history: { retentionDays: 0 } }, 'history.retentionDays'],
    [{ audio: { inputDeviceId: 'x'.repeat(10_240) } }, 'audio.inputDeviceId'],
    [{ audio: null }, 'audio'],
  ])('refuses %j at %s', (value, path) => {
    const r = patch.safeParse(value);
    expect(r.success).toBe(false);
    if (!r.success) expect(Object.keys(zodFieldErrors(r.error))).toContain(path);
  });
});

describe('typed errors', () => {
  it('carry field messages only when there are some, and match the error schema', () => {
    expect(err('invalid-request', 'bad')).toEqual({ ok: false, code: 'invalid-request', message: 'bad' });
    expect(err('invalid-request', 'bad', {})).toEqual({ ok: false, code: 'invalid-request', message: 'bad' });
    const withFields = err('invalid-request', 'bad', { wsUrl: 'Enter a WebSocket address' });
    expect(errSchema.parse(withFields)).toEqual(withFields);
    expect(errSchema.safeParse({ ...withFields, fields: { wsUrl: 1 } }).success).toBe(false);
  });
});
