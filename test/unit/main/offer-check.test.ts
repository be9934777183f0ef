/**
 * The offer check (main/media/offer-check.ts) in the fast tier: which offers
 * the console refuses before ringing, and the reason it gives. Each rule is
 * held against the real media host in test/media/offer-check.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { offerProblem } from '../../../main/media/offer-check';

const webrtc = (audio: string[] = [], session: string[] = []) =>
  [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    ...session,
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 101',
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:Xk9q',
    'a=ice-pwd:c4Jd8Yq2ZtR0pLm5NvW7sB3e',
    'a=fingerprint:sha-256 3C:4A:B1:0F:9E:52:77:6D:0A:E4:95:2B:C8:11:DF:63:28:90:AB:5C:7E:3D:41:F6:08:BB:92:CD:17:E5:6A:04',
    'a=rtpmap:111 opus/48000/2',
    'a=rtpmap:101 telephone-event/8000',
    ...audio,
    '',
  ].join('\r\n');

describe('offer check', () => {
  it('accepts a WebRTC offer', () => {
    expect(offerProblem(webrtc())).toBeNull();
  });
  it.each([
    ['plain RTP', 'v=0\r\no=p 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n', /ICE credentials/],
    ['no audio', 'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n', /no audio stream/],
    ['audio refused', webrtc().replace('m=audio 9', 'm=audio 0'), /no audio stream/],
    ['not SDP', 'hello', /not an SDP/],
    ['a non-SDP line', webrtc(['nonsense']), /not SDP/],
    ['no fingerprint', webrtc().replace(/a=fingerprint:[^\r]*\r\n/, ''), /DTLS-SRTP/],
    ['only telephone-event', webrtc().replace('111 101', '101'), /no codec the console can play \(telephone-event\)/],
    ['not RTP', webrtc().replace('UDP/TLS/RTP/SAVPF', 'TCP/MSRP'), /transport, not RTP/],
  ])('refuses %s, saying why', (_what, sdp, why) => {
    expect(offerProblem(sdp)).toMatch(why);
  });
});
