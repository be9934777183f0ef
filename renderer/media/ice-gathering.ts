/**
 * When the media host may stop waiting for ICE candidates.
 *
 * SIP carries no trickled candidates: JsSIP sends the INVITE (or the 200 OK)
 * once gathering is over, with every candidate in the SDP. Chromium gathers
 * in steps about 50 ms apart: host UDP candidates first, then (with a TURN
 * server) relayed ones, then host TCP candidates — passive ones on port 9,
 * which only a peer speaking ICE-TCP could use, and SIP media servers and
 * phones do not. A connection configured without any STUN or TURN server
 * will never have a candidate other than these host ones, so waiting for the
 * TCP step only delays every call by ~100 ms. For such a connection the end
 * of gathering is reported once the host UDP candidates have settled (no new
 * one for `settleMs`; a machine's networks all come in the same step). With
 * a STUN or TURN server configured, gathering ends when the browser says so.
 */

export interface GatheringPolicy {
  /** A candidate from the browser (null: its end of gathering): forward it, or drop it (the end was already reported). */
  candidate(candidate: { candidate: string } | null): 'forward' | 'drop';
  /** The browser's gathering state changed ('gathering' again: an ICE restart starts a new round). */
  state(state: RTCIceGatheringState): void;
  dispose(): void;
}

/** "candidate:1 1 udp 2122260223 192.0.2.7 40000 typ host …" → is it a host UDP candidate? */
export function isHostUdp(candidate: string): boolean {
  const fields = candidate.trim().split(/\s+/);
  return fields[2]?.toLowerCase() === 'udp' && fields[6] === 'typ' && fields[7] === 'host';
}

export function hasIceServers(config: Record<string, unknown>): boolean {
  const servers = config['iceServers'];
  return Array.isArray(servers) && servers.length > 0;
}

/** `end` reports the end of gathering to main (an icecandidate event with a null candidate). */
export function gatheringPolicy(config: Record<string, unknown>, end: () => void, settleMs = 25): GatheringPolicy {
  if (hasIceServers(config)) return { candidate: () => 'forward', state: () => undefined, dispose: () => undefined };
  let ended = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const stop = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return {
    candidate(c) {
      if (c === null) {
        stop();
        if (ended) return 'drop';
        ended = true;
        return 'forward';
      }
      if (!ended && isHostUdp(c.candidate)) {
        stop();
        timer = setTimeout(() => {
          timer = null;
          if (ended) return;
          ended = true;
          end();
        }, settleMs);
      }
      return 'forward';
    },
    state(state) {
      if (state === 'gathering') {
        stop();
        ended = false;
      }
    },
    dispose: stop,
  };
}
