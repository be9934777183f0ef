/**
 * The console refuses an INVITE whose offer the media host cannot use before
 * it rings (main/media/offer-check.ts, checked in main without a round trip).
 * Here every rule is held against the judge it stands in for: the REAL media
 * host page in Chromium, doing what JsSIP does on answer (microphone track,
 * setRemoteDescription, createAnswer, setLocalDescription) through the
 * peer-connection proxy. For each offer the static verdict must be the host's:
 * refused exactly when the host fails, or answers without an audio stream
 * that carries voice (Chromium answers a telephone-event-only offer, silently).
 *
 *   npx electron-vite build
 *   unshare --net sh -c 'ip link set lo up; npx vitest run --project media test/media/offer-check.test.ts'
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offerProblem } from '../../main/media/offer-check';
import { createMediaClient, type MediaClient } from '../../main/media/proxy';
import { serveStatic, startMediaHost, type MediaHostHarness } from '../harness/media-host';
import { toneWav } from './tools';

const FP = 'sha-256 3C:4A:B1:0F:9E:52:77:6D:0A:E4:95:2B:C8:11:DF:63:28:90:AB:5C:7E:3D:41:F6:08:BB:92:CD:17:E5:6A:04';
const ICE = ['a=ice-ufrag:Xk9q', 'a=ice-pwd:c4Jd8Yq2ZtR0pLm5NvW7sB3e'];
const head = ['v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0'];
const audio = (o: { proto?: string; pts?: string; maps?: string[]; ice?: boolean; fp?: boolean; port?: number; mid?: string; crypto?: boolean } = {}) => [
  `m=audio ${o.port ?? 9} ${o.proto ?? 'UDP/TLS/RTP/SAVPF'} ${o.pts ?? '111'}`,
  'c=IN IP4 0.0.0.0',
  ...(o.ice === false ? [] : ICE),
  ...(o.fp === false ? [] : [`a=fingerprint:${FP}`]),
  ...(o.crypto ? ['a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz'] : []),
  'a=setup:actpass',
  `a=mid:${o.mid ?? '0'}`,
  'a=sendrecv',
  'a=rtcp-mux',
  ...(o.maps ?? ['a=rtpmap:111 opus/48000/2']),
];
const sdp = (...lines: string[][]) => [...lines.flat(), ''].join('\r\n');

/** Offers a far end might send, usable or not. */
const OFFERS: Array<[string, string]> = [
  ['a WebRTC offer (opus)', sdp(head, audio())],
  ['PCMU by static payload type, no rtpmap', sdp(head, audio({ pts: '0', maps: [] }))],
  ['G722 and PCMA', sdp(head, audio({ pts: '9 8', maps: ['a=rtpmap:9 G722/8000', 'a=rtpmap:8 PCMA/8000'] }))],
  ['ICE and fingerprint at session level', sdp(head, ICE, [`a=fingerprint:${FP}`], audio({ ice: false, fp: false }))],
  ['RTP/SAVPF profile name', sdp(head, audio({ proto: 'RTP/SAVPF' }))],
  ['plain RTP from a desk phone (no ICE, no DTLS)', sdp(['v=0', 'o=phone 1 1 IN IP4 127.0.0.1', 's=call', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0 8', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=sendrecv'])],
  ['no DTLS fingerprint', sdp(head, audio({ fp: false }))],
  ['SDES keys instead of DTLS', sdp(head, audio({ fp: false, crypto: true, proto: 'RTP/SAVP' }))],
  ['no ICE credentials', sdp(head, audio({ ice: false }))],
  ['only telephone-event', sdp(head, audio({ pts: '101', maps: ['a=rtpmap:101 telephone-event/8000'] }))],
  ['only a codec the host lacks (speex)', sdp(head, audio({ pts: '97', maps: ['a=rtpmap:97 speex/16000'] }))],
  ['audio refused (port 0)', sdp(head, audio({ port: 0 }))],
  ['video only', sdp(head, [`m=video 9 UDP/TLS/RTP/SAVPF 96`, 'c=IN IP4 0.0.0.0', ...ICE, `a=fingerprint:${FP}`, 'a=setup:actpass', 'a=mid:0', 'a=sendrecv', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000'])],
  ['not SDP at all', 'hello\r\n'],
  ['a line that is not SDP', sdp(head, ['garbage line'], audio())],
];

describe('offer check = the media host\'s own verdict', () => {
  let host: MediaHostHarness;
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let client: MediaClient;

  beforeAll(async () => {
    server = await serveStatic();
    host = await startMediaHost({ baseUrl: server.baseUrl, fakeAudioFile: toneWav(660) });
    client = createMediaClient(host.link, { rpcTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    client?.dispose();
    await host?.stop();
    await server?.close();
  });

  /** What JsSIP's answer() would get from the host: an error, or the answer's audio stream refused, or fine. */
  async function hostVerdict(offer: string): Promise<string | null> {
    const stream = await client.acquireMicrophone({ deviceId: 'default', echoCancellation: false, noiseSuppression: false, autoGainControl: false });
    const pc = new client.RTCPeerConnection({ iceServers: [] }, null);
    try {
      for (const t of stream.getTracks()) pc.addTrack(t, stream);
      await pc.setRemoteDescription(new client.RTCSessionDescription({ type: 'offer', sdp: offer }));
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      const text = answer.sdp ?? '';
      const ports = [...text.matchAll(/^m=audio (\d+)/gm)].map((m) => Number(m[1]));
      if (!ports.some((p) => p > 0)) return 'answered without an audio stream';
      // Chromium answers a telephone-event-only offer, with a stream that carries no voice.
      const voice = [...text.matchAll(/^a=rtpmap:\d+ ([^/\s]+)/gm)].map((m) => m[1]!.toLowerCase()).filter((c) => !['telephone-event', 'cn', 'red', 'rtx'].includes(c));
      return voice.length > 0 ? null : 'answered with no voice codec';
    } catch (e) {
      return (e as Error).message;
    } finally {
      pc.close();
      client.releaseStream(stream);
    }
  }

  it.each(OFFERS)('%s', async (_what, offer) => {
    const host = await hostVerdict(offer);
    const ours = offerProblem(offer);
    expect({ refused: ours !== null, ours }, `the host says: ${host ?? 'usable'}`).toMatchObject({ refused: host !== null });
  });
});
