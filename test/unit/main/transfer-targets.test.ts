/**
 * Transfer targets and requests at the IPC boundary: every kind of target
 * resolves to one URI, garbage is refused with ConsoleError('invalid-target')
 * and a message that says what to type, and the request schemas refuse
 * ambiguous or self-referencing transfers.
 */
import { describe, expect, it } from 'vitest';
import { parseTransferTarget, resolveTransferTarget, transferOptions } from '../../../main/calls/transfer/targets';
import { ConsoleError } from '../../../preload/contract/result';
import { preferencesSchema } from '../../../preload/contract/settings';
import {
  attendedTransferRequestSchema,
  blindTransferRequestSchema,
  transfer,
  transferTargetSchema,
} from '../../../preload/contract/transfer';

const DOMAIN = 'pbx.example.com';

describe('transfer targets: valid input resolves to one URI', () => {
  it.each([
    [{ kind: 'number', number: '2001' }, { kind: 'number', label: '2001', uri: 'sip:2001@pbx.example.com' }],
    [{ kind: 'number', number: ' +44 20 7946-0018 ' }, { kind: 'number', label: '+442079460018', uri: 'sip:+442079460018@pbx.example.com' }],
    [{ kind: 'number', number: '(01) 23.45.67.89' }, { kind: 'number', label: '0123456789', uri: 'sip:0123456789@pbx.example.com' }],
    [{ kind: 'number', number: '*97' }, { kind: 'number', label: '*97', uri: 'sip:*97@pbx.example.com' }],
    [{ kind: 'uri', uri: 'sip:sales@pbx.example.com' }, { kind: 'uri', label: 'sales', uri: 'sip:sales@pbx.example.com' }],
    [{ kind: 'uri', uri: 'SIPS:bob@10.0.0.5:5061;transport=tls' }, { kind: 'uri', label: 'bob', uri: 'sips:bob@10.0.0.5:5061;transport=tls' }],
    [{ kind: 'queue', name: ' Support ', address: 'sip:support@pbx.example.com' }, { kind: 'queue', label: 'Support', uri: 'sip:support@pbx.example.com' }],
    [{ kind: 'queue', name: 'Billing', address: '8001' }, { kind: 'queue', label: 'Billing', uri: 'sip:8001@pbx.example.com' }],
    [{ kind: 'colleague', name: 'Bob Martin', address: '2002' }, { kind: 'colleague', label: 'Bob Martin', uri: 'sip:2002@pbx.example.com' }],
  ] as const)('%j → %j', (input, expected) => {
    expect(resolveTransferTarget(input, DOMAIN)).toEqual(expected);
  });
});

describe('transfer targets: garbage is refused with a message that says what to do', () => {
  const refusals: Array<[string, unknown, RegExp]> = [
    ['nothing', undefined, /number, a SIP address, a queue or a colleague/],
    ['null', null, /number, a SIP address, a queue or a colleague/],
    ['a bare string', '2001', /number, a SIP address, a queue or a colleague/],
    ['an array', [{ kind: 'number', number: '1' }], /number, a SIP address, a queue or a colleague/],
    ['an unknown kind', { kind: 'fax', number: '2001' }, /number, a SIP address, a queue or a colleague/],
    ['no kind', { number: '2001' }, /number, a SIP address, a queue or a colleague/],
    ['an empty number', { kind: 'number', number: '  ' }, /Enter the number to transfer to/],
    ['letters in a number', { kind: 'number', number: '20O1' }, /digits/],
    ['a number of 65 characters', { kind: 'number', number: '1'.repeat(65) }, /limited to 64/],
    ['too many digits for E.164', { kind: 'number', number: '+1234567890123456' }, /at most 15/],
    ['a one-digit number', { kind: 'number', number: '5' }, /too short/],
    ['a number as a wrong type', { kind: 'number', number: 2001 }, /number/i],
    ['a URI without user', { kind: 'uri', uri: 'sip:pbx.example.com' }, /SIP address like sip:sales@pbx.example.com/],
    ['a URI with ?headers (Replaces injection)', { kind: 'uri', uri: 'sip:bob@pbx.example.com?Replaces=abc%3Bto-tag%3D1' }, /\?headers/],
    ['a URI with angle brackets', { kind: 'uri', uri: 'sip:bob@pbx.example.com>;evil' }, /no <, >/],
    ['a URI with CR LF', { kind: 'uri', uri: 'sip:bob@pbx.example.com\r\nX-Evil: 1' }, /SIP address/],
    ['a URI of another scheme', { kind: 'uri', uri: 'https://example.com' }, /SIP address/],
    ['a 100 kB URI', { kind: 'uri', uri: `sip:${'a'.repeat(100_000)}@x.com` }, /limited to 512/],
    ['a queue without name', { kind: 'queue', name: '', address: '8001' }, /queue needs a name/],
    ['a queue with a garbage address', { kind: 'queue', name: 'Support', address: 'support desk' }, /number \(e\.g\. 2001\) or a SIP address/],
    ['a colleague with a long name', { kind: 'colleague', name: 'x'.repeat(81), address: '2002' }, /limited to 80/],
    ['a colleague without address', { kind: 'colleague', name: 'Bob' }, /colleague|address|expected/i],
    ['extra keys riding along', { kind: 'number', number: '2001', uri: 'sip:x@y' }, /uri|unrecognized/i],
    ['a prototype polluter', JSON.parse('{"kind":"number","number":"2001","__proto__":{"x":1}}'), /__proto__|unrecognized/i],
  ];

  it.each(refusals)('%s', (_what, input, message) => {
    let thrown: unknown = null;
    try {
      resolveTransferTarget(input, DOMAIN);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConsoleError);
    expect((thrown as ConsoleError).code).toBe('invalid-target');
    expect((thrown as ConsoleError).message).toMatch(message);
  });

  it('parseTransferTarget keeps the trimmed, validated value', () => {
    expect(parseTransferTarget({ kind: 'colleague', name: '  Ann ', address: ' 2003 ' })).toEqual({ kind: 'colleague', name: 'Ann', address: '2003' });
  });

  it('the contract schema alone already refuses the same garbage', () => {
    for (const [, input] of refusals.filter(([what]) => !/digits for E\.164|one-digit/.test(what))) {
      expect(transferTargetSchema.safeParse(input).success).toBe(false);
    }
  });
});

describe('transfer requests', () => {
  const target = { kind: 'number', number: '2001' } as const;

  it('blind takes a call, a target and an optional safe override', () => {
    expect(blindTransferRequestSchema.parse({ callId: 'c1', target })).toEqual({ callId: 'c1', target });
    expect(blindTransferRequestSchema.parse({ callId: 'c1', target, safe: false }).safe).toBe(false);
    expect(blindTransferRequestSchema.safeParse({ callId: '', target }).success).toBe(false);
    expect(blindTransferRequestSchema.safeParse({ callId: 'c1', target, safe: 'yes' }).success).toBe(false);
  });

  it('attended takes either a target or an existing call, never both, never itself', () => {
    expect(attendedTransferRequestSchema.safeParse({ callId: 'c1', target }).success).toBe(true);
    expect(attendedTransferRequestSchema.safeParse({ callId: 'c1', consultCallId: 'c2' }).success).toBe(true);
    const both = attendedTransferRequestSchema.safeParse({ callId: 'c1', target, consultCallId: 'c2' });
    expect(both.success).toBe(false);
    expect(both.error?.issues[0]?.message).toMatch(/either a target .* or the id of an existing call/);
    expect(attendedTransferRequestSchema.safeParse({ callId: 'c1' }).success).toBe(false);
    const self = attendedTransferRequestSchema.safeParse({ callId: 'c1', consultCallId: 'c1' });
    expect(self.error?.issues[0]?.message).toMatch(/cannot be transferred to itself/);
  });

  it('every transfer channel is domain:verb and named once', () => {
    const names = Object.values(transfer).map((c) => c.name);
    expect(names).toEqual([
      'transfer:list',
      'transfer:blind',
      'transfer:attended',
      'transfer:complete',
      'transfer:cancel',
      'transfer:swap',
      'transfer:undo',
      'transfer:answer-refer',
      'transfer:changed',
    ]);
  });
});

describe('transfer options from preferences', () => {
  it('defaults: safe blind, 3 s undo, 30 s blind time-out, 8 s completion time-out', () => {
    const prefs = preferencesSchema.parse({}).transfer;
    expect(transferOptions(prefs)).toEqual({ safe: true, undoMs: 3000, referTimeoutMs: 30_000, completeTimeoutMs: 8000, consultTimeoutMs: 30_000 });
  });

  it('the per-transfer override wins; an undo window of 0 disables it', () => {
    const prefs = preferencesSchema.parse({ transfer: { safeBlind: true, undoWindowSec: 0, safeBlindTimeoutSec: 45 } }).transfer;
    expect(transferOptions(prefs, { safe: false })).toEqual({ safe: false, undoMs: 0, referTimeoutMs: 45_000, completeTimeoutMs: 8000, consultTimeoutMs: 45_000 });
    expect(transferOptions(prefs, { safe: undefined }).safe).toBe(true);
  });

  it('fractional undo windows become whole milliseconds', () => {
    const prefs = preferencesSchema.parse({ transfer: { undoWindowSec: 1.5 } }).transfer;
    expect(transferOptions(prefs).undoMs).toBe(1500);
  });
});
