/**
 * How JsSIP makes its SDP (RTCSession._createLocalDescription) on a proxied
 * peer connection: create, set, then wait for the end of candidates (no trickle).
 */
import type { ProxyEvent, ProxyPeerConnectionBase } from '../../main/media/proxy';

export async function jssipLocalDescription(pc: ProxyPeerConnectionBase, kind: 'offer' | 'answer' = 'offer'): Promise<string> {
  const d = kind === 'offer' ? await pc.createOffer() : await pc.createAnswer();
  await pc.setLocalDescription(d);
  if (pc.iceGatheringState === 'complete') return pc.localDescription!.sdp;
  return new Promise((resolve) => {
    const listener = (e: ProxyEvent) => {
      if (e.candidate) return;
      pc.removeEventListener('icecandidate', listener);
      resolve(pc.localDescription!.sdp);
    };
    pc.addEventListener('icecandidate', listener);
  });
}
