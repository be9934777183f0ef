import { describe, expect, it } from 'vitest';
import { describeRemote, InvalidDialTarget, normaliseDialTarget } from '../../../main/calls/numbers';

const D = 'lab.test';

describe('dial targets: accepted and normalised', () => {
  it.each([
    ['1002', 'extension', 'sip:1002@lab.test', '1002'],
    ['  1002  ', 'extension', 'sip:1002@lab.test', '1002'],
    ['+44 20 7946 0958', 'e164', 'sip:+442079460958@lab.test', '+442079460958'],
    ['+1 (415) 555-0132', 'e164', 'sip:+14155550132@lab.test', '+14155550132'],
    ['0044 20 7946 0958', 'e164', 'sip:+442079460958@lab.test', '+442079460958'],
    ['(030) 1234-5678', 'number', 'sip:03012345678@lab.test', '03012345678'],
    ['030.1234.5678', 'number', 'sip:03012345678@lab.test', '03012345678'],
    ['*97', 'feature-code', 'sip:*97@lab.test', '*97'],
    ['#21#', 'feature-code', 'sip:%2321%23@lab.test', '#21#'],
    ['tel:+1-415-555-0132', 'e164', 'sip:+14155550132@lab.test', '+14155550132'],
    ['tel:+1-415-555-0132;phone-context=example.com', 'e164', 'sip:+14155550132@lab.test', '+14155550132'],
    ['TEL:1002', 'extension', 'sip:1002@lab.test', '1002'],
    ['sip:alice@pbx.example.com', 'sip-uri', 'sip:alice@pbx.example.com', 'alice'],
    ['SIP:alice@pbx.example.com:5061;transport=tls', 'sip-uri', 'sip:alice@pbx.example.com:5061;transport=tls', 'alice'],
    ['sips:queue-sales@10.0.0.5', 'sip-uri', 'sips:queue-sales@10.0.0.5', 'queue-sales'],
    ['bob@pbx.example.com', 'sip-uri', 'sip:bob@pbx.example.com', 'bob'],
    ['sip:1003@[::1]:5060', 'sip-uri', 'sip:1003@[::1]:5060', '1003'],
  ])('%j → %s %s', (input, kind, uri, display) => {
    expect(normaliseDialTarget(input, D)).toEqual({ kind, uri, display });
  });
});

describe('dial targets: garbage is refused with a typed reason', () => {
  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['x'.repeat(300), 'too-long'],
    ['hello', 'invalid-characters'],
    ['12a4', 'invalid-characters'],
    ['1+2', 'invalid-characters'],
    ['++4412345', 'invalid-characters'],
    ['1002; DROP TABLE', 'invalid-characters'],
    ['7', 'too-short'],
    ['+12', 'too-short'],
    ['+1234567890123456', 'too-many-digits'],
    ['123456789012345678901', 'too-many-digits'],
    ['+0441234567', 'invalid-characters'],
    ['*9x', 'invalid-characters'],
    ['sip:', 'invalid-uri'],
    ['sip:@host', 'invalid-uri'],
    ['sip:alice@', 'invalid-uri'],
    ['sip:al ice@host', 'invalid-uri'],
    ['sip:alice@ho_st', 'invalid-uri'],
    ['alice@', 'invalid-uri'],
    ['tel:', 'invalid-uri'],
    ['tel:%E0%A4%A', 'invalid-uri'],
    ['tel:abc', 'invalid-characters'],
  ])('%j → %s', (input, code) => {
    let thrown: unknown;
    try {
      normaliseDialTarget(input, D);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidDialTarget);
    expect((thrown as InvalidDialTarget).code).toBe(code);
    expect((thrown as InvalidDialTarget).message.length).toBeGreaterThan(10);
  });
});

describe('remote party description', () => {
  it.each([
    ['sip:1002@lab.test', 'Bob', { number: '1002', uri: 'sip:1002@lab.test', displayName: 'Bob' }],
    ['sip:%2B4420@lab.test', '  ', { number: '+4420', uri: 'sip:%2B4420@lab.test', displayName: null }],
    ['sip:lab.test', undefined, { number: 'sip:lab.test', uri: 'sip:lab.test', displayName: null }],
  ])('%s', (uri, name, expected) => {
    expect(describeRemote(uri, name)).toEqual(expected);
  });
});
