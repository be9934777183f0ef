/**
 * Can the media host answer this SDP offer? Checked in main when an INVITE
 * arrives, before the call rings: the host itself would only say so once the
 * agent answers (Chromium's setRemoteDescription rejects the RPC, JsSIP then
 * answers 488 and the caller who waited to be answered is dropped). A call
 * that cannot carry audio is refused at once with 488 Not Acceptable Here
 * (RFC 3261 §21.4.26) instead, and never rings.
 *
 * The rules are what Chromium's WebRTC requires of a remote offer for an
 * audio call (measured against the real media host, test/media/offer-check.test.ts):
 *   - an SDP it can parse: `v=0` first, every line `<letter>=<value>`;
 *   - at least one audio section with a port other than 0 (port 0 = refused stream);
 *   - ICE credentials (`a=ice-ufrag` and `a=ice-pwd`, session or media level):
 *     there is no connectivity without them;
 *   - a DTLS fingerprint (`a=fingerprint`, session or media level): WebRTC
 *     encrypts with DTLS-SRTP only, never SDES (`a=crypto`) or plain RTP;
 *   - an RTP profile (`RTP/…` or `UDP/TLS/RTP/…`), not e.g. `udp` or `TCP/MSRP`;
 *   - at least one codec it decodes: opus, G722, PCMU or PCMA (by rtpmap, or
 *     the static payload types 0, 8 and 9). telephone-event, CN and red alone carry no voice.
 * Pure: no I/O, no clock. An offer-less INVITE (late SDP) is not checked here:
 * the offer then comes from us.
 */

const VOICE_CODECS = new Set(['opus', 'g722', 'pcmu', 'pcma']);
/** RFC 3551 static payload types the host decodes without an rtpmap. */
const STATIC_VOICE: Record<string, string> = { '0': 'pcmu', '8': 'pcma', '9': 'g722' };

interface Section {
  media: string;
  port: number;
  proto: string;
  formats: string[];
  attributes: string[];
}

/** Why the host cannot use this offer (a short English reason for the log and the SIP Warning), or null. */
export function offerProblem(sdp: string): string | null {
  const lines = sdp.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== 'v=0') return 'the offer is not an SDP session description';
  if (lines.some((l) => !/^[a-z]=/.test(l))) return 'the offer has a line that is not SDP';

  const session: string[] = [];
  const sections: Section[] = [];
  for (const line of lines) {
    if (line.startsWith('m=')) {
      const [media = '', port = '', proto = '', ...formats] = line.slice(2).trim().split(/\s+/);
      sections.push({ media: media.toLowerCase(), port: /^\d+$/.test(port.split('/')[0]!) ? Number(port.split('/')[0]) : NaN, proto, formats, attributes: [] });
    } else if (line.startsWith('a=')) {
      (sections.at(-1)?.attributes ?? session).push(line.slice(2).trim());
    }
  }
  const audio = sections.filter((s) => s.media === 'audio' && s.port > 0);
  if (audio.length === 0) return 'the offer has no audio stream';
  if (sections.some((s) => Number.isNaN(s.port))) return 'the offer has a media line without a valid port';

  const has = (s: Section, name: string) => [...session, ...s.attributes].some((a) => a.toLowerCase().startsWith(`${name}:`));
  // Every stream that is not refused (port 0) must be one the host can set up, or none is set up.
  for (const s of sections.filter((x) => x.port > 0)) {
    if (s.media === 'audio' && !/^(UDP\/TLS\/|TCP\/(DTLS|TLS)\/)?RTP\/S?AVPF?$/i.test(s.proto)) return `the audio stream uses ${s.proto || 'no'} transport, not RTP`;
    if (!has(s, 'ice-ufrag') || !has(s, 'ice-pwd')) return `the ${s.media} stream has no ICE credentials`;
    if (!has(s, 'fingerprint')) return `the ${s.media} stream is not encrypted with DTLS-SRTP (no fingerprint)`;
  }
  for (const s of audio) {
    const codecs = new Set<string>();
    for (const pt of s.formats) if (STATIC_VOICE[pt]) codecs.add(STATIC_VOICE[pt]);
    for (const a of s.attributes) {
      const m = /^rtpmap:(\d+)\s+([^/\s]+)/i.exec(a);
      if (m && s.formats.includes(m[1]!)) codecs.add(m[2]!.toLowerCase());
    }
    if (![...codecs].some((c) => VOICE_CODECS.has(c))) return `the audio stream offers no codec the console can play (${[...codecs].join(', ') || 'none named'})`;
  }
  return null;
}
