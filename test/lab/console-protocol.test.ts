/**
 * The console's answers to SIP no real phone sends, over the wire through a
 * real server: SIPp writes the requests by hand over TCP to Kamailio, which
 * relays them to the console's WebSocket line (the real core, its media in
 * the real media-host page). Each deviation gets the response RFC 3261 / 6665
 * asks for, with the console's own reason phrase (so it is the console that
 * answered, not the proxy); an offer the media host cannot use never rings;
 * the INVITE past the line limit leaves a missed call in history.
 *
 *   npx electron-vite build
 *   unshare --net sh -c 'ip link set lo up; npx vitest run --project lab test/lab/console-protocol.test.ts'
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallSummary, HistoryPage } from '../../preload/contract';
import { MAX_CALLS } from '../../main/calls/call/call-set';
import { startConsole, type ConsoleUnderTest } from './console-fixture';
import { freePort } from './kamailio';
import { labUnavailable, startLab, type Lab } from './lab';
import { expectText, inviteFrom2002, PLAIN_RTP_SDP, runSipp, scenario, sippAvailable } from './sipp';

const LAB = 'console-protocol';

describe.skipIf(labUnavailable() || !sippAvailable())('SIP protocol deviations through Kamailio (SIPp → console)', () => {
  let lab: Lab;
  let agent: ConsoleUnderTest;

  beforeAll(async () => {
    lab = await startLab({ name: LAB, peers: [] });
    agent = await startConsole(lab);
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await lab?.stop();
  });

  const sipp = async (name: string, body: string, timeoutMs = 20_000) => {
    const run = await runSipp({ lab: LAB, name, port: lab.port, scenario: scenario(name, body), timeoutMs, localPort: await freePort() });
    expect(run.code, `SIPp ${name} failed; its messages:\n${run.messages}\n${run.stderr}`).toBe(0);
    return run;
  };

  it('an INVITE whose CSeq names another method is refused 400 by the console, and never rings', async () => {
    const before = agent.callPushes.length;
    await sipp(
      'cseq-mismatch',
      // Marked so Kamailio's own sanity check lets it through (kamailio.cfg, X-Lab-Unscreened): it would refuse it itself.
      `${inviteFrom2002({ cseq: '1 OPTIONS', extra: ['X-Lab-Unscreened: 1'] }).replace('<send retrans="500">', '<send retrans="500" start_txn="invite">')}
<recv response="100" optional="true" response_txn="invite"/>
<recv response="400" response_txn="invite">${expectText('CSeq method does not match\r')}</recv>
<send ack_txn="invite"><![CDATA[
ACK sip:1001@lab.invalid SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Sipp Caller" <sip:2002@lab.invalid>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>`,
    );
    expect(agent.callPushes.slice(before).flat()).toEqual([]);
  });

  it('an offer the media host cannot use (plain RTP) is refused 488 before it rings: no 180, no call card', async () => {
    const before = agent.callPushes.length;
    const run = await sipp(
      'unusable-offer',
      `${inviteFrom2002({ body: PLAIN_RTP_SDP })}
<recv response="100" optional="true"/>
<recv response="488">${expectText('Not Acceptable Here')}</recv>
<send><![CDATA[
ACK sip:1001@lab.invalid SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Sipp Caller" <sip:2002@lab.invalid>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>`,
    );
    expect(run.messages).not.toMatch(/SIP\/2\.0 180/);
    expect(run.messages).toMatch(/Warning: 305 - "the audio stream/);
    expect(agent.callPushes.slice(before).flat()).toEqual([]);
  });

  it('a NOTIFY outside any dialog is answered 481', async () => {
    await sipp(
      'notify-no-subscription',
      `<send retrans="500"><![CDATA[
NOTIFY sip:1001@lab.invalid SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:2002@lab.invalid>;tag=[pid]SIPpTag01[call_number]
To: <sip:1001@lab.invalid>
Call-ID: [call_id]
CSeq: 1 NOTIFY
Contact: <sip:2002@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
Event: message-summary
Subscription-State: active
Content-Type: application/simple-message-summary
Content-Length: [len]

Messages-Waiting: yes
]]></send>
<recv response="481">${expectText('Subscription does not exist')}</recv>`,
    );
  });

  it('inside an answered call: a REFER with an unparseable Refer-To gets 400, NOTIFYs for no subscription 481 or 400; the call goes on', async () => {
    const callsBefore = agent.calls().length;
    const answering = (async () => {
      const ringing = await agent.until(() => agent.calls().slice(callsBefore).find((c) => c.direction === 'incoming' && c.state === 'ringing'), 10_000, 'the SIPp call to ring');
      await agent.request('calls:answer', { callId: ringing.id });
      return ringing.id;
    })();
    const inDialog = (method: string, cseq: number, headers: string, body = '') => `<send><![CDATA[
${method} [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Sipp Caller" <sip:2002@lab.invalid>;tag=[pid]SIPpTag00[call_number]
[last_To:]
[routes]
Call-ID: [call_id]
CSeq: ${cseq} ${method}
Contact: <sip:2002@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
${headers}
Content-Length: [len]

${body}
]]></send>`;
    const run = await sipp(
      'in-dialog',
      `${inviteFrom2002()}
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="200" rrs="true" timeout="15000"/>
<send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Sipp Caller" <sip:2002@lab.invalid>;tag=[pid]SIPpTag00[call_number]
[last_To:]
[routes]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
<pause milliseconds="300"/>
${inDialog('REFER', 2, 'Refer-To: <sip:carol@lab.invalid;x=">\nReferred-By: <sip:2002@lab.invalid>')}
<recv response="400">${expectText('Bad Refer-To header')}</recv>
${inDialog('NOTIFY', 3, 'Event: refer\nSubscription-State: active;expires=60\nContent-Type: message/sipfrag;version=2.0', 'SIP/2.0 200 OK')}
<recv response="481">${expectText('Subscription does not exist')}</recv>
${inDialog('NOTIFY', 4, 'Event: presence\nSubscription-State: active')}
<recv response="481"/>
${inDialog('NOTIFY', 5, 'Subscription-State: active')}
<recv response="400">${expectText('Missing Event header')}</recv>
${inDialog('BYE', 6, '')}
<recv response="200"/>`,
      30_000,
    );
    const callId = await answering;
    // The call lived through all of it and ended only with the BYE.
    const ended = await agent.until(() => agent.calls().find((c) => c.id === callId && c.state === 'ended'), 5000, 'the call to end');
    expect(ended.ended).toMatchObject({ by: 'remote', reason: 'Hung up by the other party' });
    expect(run.messages).toMatch(/SIP\/2\.0 400 Bad Refer-To header/);
  });

  it(`the INVITE past the line limit (${MAX_CALLS} calls) gets 486 and a missed call "All lines busy" in history`, async () => {
    const ringing = () => agent.live().filter((c) => c.direction === 'incoming' && c.state === 'ringing');
    // MAX_CALLS calls ring (SIPp keeps them waiting); the next one is refused.
    const waiting = runSipp({
      lab: LAB,
      name: 'fill-lines',
      port: lab.port,
      localPort: await freePort(),
      calls: MAX_CALLS,
      timeoutMs: 30_000,
      scenario: scenario('fill-lines', `${inviteFrom2002()}
<recv response="100" optional="true"/>
<recv response="180"/>
<recv response="486"/>
<send><![CDATA[
ACK sip:1001@lab.invalid SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Sipp Caller" <sip:2002@lab.invalid>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>`),
    });
    await agent.until(() => ringing().length === MAX_CALLS || undefined, 15_000, `${MAX_CALLS} ringing calls`);
    await sipp(
      'line-limit',
      `${inviteFrom2002({ displayName: 'Late Caller' })}
<recv response="100" optional="true"/>
<recv response="486"/>
<send><![CDATA[
ACK sip:1001@lab.invalid SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Late Caller" <sip:2002@lab.invalid>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>`,
    );
    const page = await agent.request<HistoryPage>('history:page', { limit: 50 });
    const busy = page.items.find((c: CallSummary) => c.sipReason === 'All lines busy');
    expect(busy).toMatchObject({ direction: 'incoming', outcome: 'missed', endedBy: 'system', sipCode: 486, remote: { displayName: 'Late Caller' } });
    // Decline the waiting ones (busy): the filling SIPp run expects exactly that.
    for (const c of ringing()) await agent.request('calls:decline', { callId: c.id, code: 486 });
    expect((await waiting).code).toBe(0);
  });
});
