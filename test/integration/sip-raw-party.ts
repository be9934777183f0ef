/**
 * A SIP party that writes its requests by hand, for the protocol tests
 * (test/integration/sip-protocol.test.ts): it puts exactly the bytes a test
 * gives it on the in-memory network (test/support/sip-memory.ts) — malformed
 * headers, a CSeq that names another method, a NOTIFY nobody subscribed to —
 * which no real stack would send, and collects what comes back. It can call
 * the console, ACK its answer and then speak inside that dialog.
 */
import { randomBytes } from 'node:crypto';
import type { SipMemoryNetwork } from '../support/sip-memory';
import { eventually } from '../support/sip-memory-peer';
import { parseSip, type SipMessage } from './sip-peer';

const token = () => randomBytes(5).toString('hex');
const first = (m: SipMessage, name: string) => m.headers.get(name)?.[0] ?? '';
const uriOf = (header: string) => /<([^>]+)>/.exec(header)?.[1] ?? header.split(';')[0]!;

/** An offer Chromium's WebRTC can answer: ICE credentials, a DTLS fingerprint, opus. */
export const webrtcOffer = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:Xk9q',
  'a=ice-pwd:c4Jd8Yq2ZtR0pLm5NvW7sB3e',
  'a=fingerprint:sha-256 3C:4A:B1:0F:9E:52:77:6D:0A:E4:95:2B:C8:11:DF:63:28:90:AB:5C:7E:3D:41:F6:08:BB:92:CD:17:E5:6A:04',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

/** What a classic SIP phone offers: plain RTP, no ICE, no DTLS — nothing a WebRTC media host can answer. */
export const plainRtpOffer = [
  'v=0',
  'o=phone 1 1 IN IP4 127.0.0.1',
  's=call',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=sendrecv',
  '',
].join('\r\n');

export interface RawDialog {
  callId: string;
  fromTag: string;
  toTag: string;
  /** The console's Contact: where in-dialog requests go. */
  target: string;
  from: string;
  to: string;
  cseq: number;
}

export class RawSipParty {
  readonly received: SipMessage[] = [];
  connected = true;
  readonly host: string;

  constructor(
    private readonly net: SipMemoryNetwork,
    readonly name = 'raw',
    readonly user = '2002',
  ) {
    this.host = `${name}.invalid`;
  }

  /** @internal the network hands us a message. */
  deliver(text: string) {
    this.received.push(parseSip(text));
  }

  get aor() {
    return `sip:${this.user}@${this.net.domain}`;
  }

  /** Sends `lines` (header lines after the start line) as one request; Content-Length is added from `body`. */
  send(startLine: string, lines: string[], body = '') {
    const text = [startLine, ...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
    this.net.send(this, text);
  }

  via() {
    return `Via: SIP/2.0/WS ${this.host};branch=z9hG4bK${token()}`;
  }

  /** The final (or the `status`) response to the request with this Call-ID and CSeq number. */
  response(callId: string, cseq: number, status?: number, ms = 3000): Promise<SipMessage> {
    return eventually(
      () =>
        this.received.find(
          (m) =>
            m.status !== null &&
            first(m, 'call-id') === callId &&
            first(m, 'cseq').startsWith(`${cseq} `) &&
            (status === undefined ? m.status >= 200 : m.status === status),
        ),
      `a response to ${callId} CSeq ${cseq}`,
      ms,
    );
  }

  /** Responses to that request so far (provisional and final). */
  responses(callId: string, cseq?: number): SipMessage[] {
    return this.received.filter((m) => m.status !== null && first(m, 'call-id') === callId && (cseq === undefined || first(m, 'cseq').startsWith(`${cseq} `)));
  }

  /** An INVITE to the console's user; `extra` headers replace nothing, they are added. */
  invite(consoleUser: string, o: { body?: string; cseq?: string; extra?: string[]; displayName?: string } = {}): { callId: string; fromTag: string } {
    const callId = token();
    const fromTag = token();
    const body = o.body ?? webrtcOffer;
    this.send(
      `INVITE sip:${consoleUser}@${this.net.domain} SIP/2.0`,
      [
        this.via(),
        'Max-Forwards: 70',
        `From: "${o.displayName ?? 'Caller'}" <${this.aor}>;tag=${fromTag}`,
        `To: <sip:${consoleUser}@${this.net.domain}>`,
        `Call-ID: ${callId}`,
        `CSeq: ${o.cseq ?? '1 INVITE'}`,
        `Contact: <sip:${this.user}@${this.host};transport=ws>`,
        ...(o.extra ?? []),
        ...(body ? ['Content-Type: application/sdp'] : []),
      ],
      body,
    );
    return { callId, fromTag };
  }

  /** After the console answered 200: ACK it; the dialog is ready for in-dialog requests. */
  async ack(invite: { callId: string; fromTag: string }): Promise<RawDialog> {
    const ok = await this.response(invite.callId, 1, 200, 5000);
    const to = first(ok, 'to');
    const dialog: RawDialog = {
      callId: invite.callId,
      fromTag: invite.fromTag,
      toTag: /;tag=([^;>\s]+)/.exec(to)![1]!,
      target: uriOf(first(ok, 'contact')),
      from: `<${this.aor}>;tag=${invite.fromTag}`,
      to,
      cseq: 1,
    };
    this.send(`ACK ${dialog.target} SIP/2.0`, [this.via(), 'Max-Forwards: 70', `From: ${dialog.from}`, `To: ${dialog.to}`, `Call-ID: ${dialog.callId}`, 'CSeq: 1 ACK']);
    return dialog;
  }

  /** A request inside the dialog; returns its CSeq number. `cseqMethod` lets a test name another method. */
  inDialog(d: RawDialog, method: string, extra: string[] = [], body = '', cseqMethod = method): number {
    d.cseq += 1;
    this.send(
      `${method} ${d.target} SIP/2.0`,
      [this.via(), 'Max-Forwards: 70', `From: ${d.from}`, `To: ${d.to}`, `Call-ID: ${d.callId}`, `CSeq: ${d.cseq} ${cseqMethod}`, `Contact: <sip:${this.user}@${this.host};transport=ws>`, ...extra],
      body,
    );
    return d.cseq;
  }
}
