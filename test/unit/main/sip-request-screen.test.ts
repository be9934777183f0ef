/**
 * The request screen (main/sip/request-screen.ts) as a pure function: which
 * messages it answers before JsSIP sees them, with what, and which it leaves
 * alone. The same rules over the wire: test/integration/sip-protocol.test.ts
 * and test/lab/console-protocol.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { screenRequest } from '../../../main/sip/request-screen';

const request = (start: string, headers: string[], body = '') => [start, ...headers, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
const envelope = (method: string, cseq = `1 ${method}`, to = '<sip:1001@lab.test>') => [
  'Via: SIP/2.0/WS a.invalid;branch=z9hG4bK1',
  'Via: SIP/2.0/WS b.invalid;branch=z9hG4bK2',
  'From: <sip:2002@lab.test>;tag=f1',
  `To: ${to}`,
  'Call-ID: c1',
  `CSeq: ${cseq}`,
];

describe('request screen', () => {
  it('leaves well-formed requests, responses and keep-alives to JsSIP', () => {
    expect(screenRequest(request('INVITE sip:1001@lab.test SIP/2.0', [...envelope('INVITE'), 'Contact: <sip:2002@a.invalid>', 'Refer-To: <sip:x@y>']))).toBeNull();
    expect(screenRequest(request('SIP/2.0 200 OK', envelope('INVITE')))).toBeNull();
    expect(screenRequest('\r\n\r\n')).toBeNull();
    // A NOTIFY inside a dialog with an Event is the session adapter's business.
    expect(screenRequest(request('NOTIFY sip:1001@a.invalid SIP/2.0', [...envelope('NOTIFY', '2 NOTIFY', '<sip:1001@lab.test>;tag=t1'), 'Event: refer']))).toBeNull();
  });

  it('answers a header the grammar refuses with 400 naming it, echoing the envelope and adding a To tag', () => {
    const v = screenRequest(request('REFER sip:1001@a.invalid SIP/2.0', [...envelope('REFER'), 'Refer-To: <sip:carol@lab.test;x=">']));
    expect(v).toMatchObject({ code: 400, reason: 'Bad Refer-To header', method: 'REFER' });
    const lines = v!.response!.split('\r\n');
    expect(lines[0]).toBe('SIP/2.0 400 Bad Refer-To header');
    expect(lines.filter((l) => l.startsWith('Via: '))).toEqual(['Via: SIP/2.0/WS a.invalid;branch=z9hG4bK1', 'Via: SIP/2.0/WS b.invalid;branch=z9hG4bK2']);
    expect(lines).toContain('CSeq: 1 REFER');
    expect(lines.find((l) => l.startsWith('To: '))).toMatch(/^To: <sip:1001@lab\.test>;tag=\w+$/);
    expect(v!.response!.endsWith('Content-Length: 0\r\n\r\n')).toBe(true);
  });

  it('reads compact header names and folded lines as JsSIP does', () => {
    expect(screenRequest(request('REFER sip:1001@a.invalid SIP/2.0', [...envelope('REFER'), 'r: <sip:carol@lab.test']))).toMatchObject({ reason: 'Bad Refer-To header' });
    // A folded Contact (RFC 3261 §7.3.1) is one header, and a good one.
    expect(screenRequest(request('INVITE sip:1001@lab.test SIP/2.0', [...envelope('INVITE'), 'Contact:', '  <sip:2002@a.invalid>']))).toBeNull();
  });

  it('checks every Contact line, but only the first Via (JsSIP carries the others as text)', () => {
    expect(screenRequest(request('INVITE sip:1001@lab.test SIP/2.0', [...envelope('INVITE'), 'Contact: <sip:2002@a.invalid>', 'Contact: <sip:"bad>']))).toMatchObject({ reason: 'Bad Contact header' });
    const vias = envelope('OPTIONS');
    vias[1] = 'Via: not a via';
    expect(screenRequest(request('OPTIONS sip:1001@lab.test SIP/2.0', vias))).toBeNull();
  });

  it('refuses a CSeq naming another method, for any request', () => {
    expect(screenRequest(request('INVITE sip:1001@lab.test SIP/2.0', envelope('INVITE', '1 BYE')))).toMatchObject({ code: 400, reason: 'CSeq method does not match' });
    expect(screenRequest(request('BYE sip:1001@a.invalid SIP/2.0', envelope('BYE', '3 INVITE')))).toMatchObject({ code: 400 });
  });

  it('an ACK is never answered, whatever is wrong with it', () => {
    const v = screenRequest(request('ACK sip:1001@a.invalid SIP/2.0', envelope('ACK', '1 INVITE')));
    expect(v).toMatchObject({ code: 400, response: null });
  });

  it('NOTIFY: without Event 400; outside any dialog 481', () => {
    expect(screenRequest(request('NOTIFY sip:1001@a.invalid SIP/2.0', envelope('NOTIFY', '2 NOTIFY', '<sip:1001@lab.test>;tag=t1')))).toMatchObject({ code: 400, reason: 'Missing Event header' });
    expect(screenRequest(request('NOTIFY sip:1001@lab.test SIP/2.0', [...envelope('NOTIFY'), 'Event: message-summary']))).toMatchObject({ code: 481, reason: 'Subscription does not exist' });
  });

  it('a request without the envelope to answer it is dropped (no response), and says so', () => {
    const v = screenRequest(request('REFER sip:1001@a.invalid SIP/2.0', ['From: <sip:2002@lab.test>;tag=f1', 'To: <sip:1001@lab.test>', 'Call-ID: c1', 'CSeq: 1 REFER', 'Refer-To: <']));
    expect(v).toMatchObject({ code: 400, response: null });
  });
});
