/**
 * The call service's HoldMusic port over the media host: the session's peer
 * connection (a proxy of the host's RTCPeerConnection) gets the music track
 * swapped onto its audio sender with replaceTrack, or the microphone back.
 * The one place that touches a held leg's sender for music: ordinary holds,
 * call waiting, swaps and transfers all go through the call service, which
 * orders it around the re-INVITE (hold first, then music; microphone first,
 * then unhold: JsSIP 3.13.8 hold() disables whatever track the sender carries
 * at that moment — docs/transfers.md, "Hold and music").
 */
import type { HoldMusic } from '../calls/call/ports';
import { asProxyConnection, type MediaClient } from '../media/proxy';
import type { SessionRegistry } from './sessions';

export function createHoldMusicPort(media: MediaClient | null, sessions: SessionRegistry): HoldMusic {
  return {
    async set(callId, on) {
      const session = sessions.get(callId);
      if (!session || session.isEnded() || !media) return null;
      const pc = (session as unknown as { connection?: unknown }).connection;
      if (!pc) return null;
      const hears = await media.setHoldMusic(asProxyConnection(pc), on);
      if (!on) return null;
      return typeof hears === 'object' && hears !== null && 'music' in hears ? String(hears.music) : null;
    },
  };
}
