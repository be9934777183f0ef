/**
 * Refer-To for an attended transfer: the transferee's URI with a Replaces
 * header naming the consult dialog (RFC 3891, RFC 3515 §2.1). Pure.
 */
import type { DialogId, ReplacesHeader } from './types';

/**
 * RFC 3891 §3: the recipient of the INVITE-with-Replaces (the transferee)
 * matches to-tag against ITS local tag and from-tag against its remote tag.
 * Its local tag is our remote tag, whichever side sent the consult INVITE.
 * JsSIP instead copies the INVITE's To/From tags, which is right only when we
 * sent the consult INVITE (JsSIP #817) — hence built here.
 */
export function replacesFor(dialog: DialogId): ReplacesHeader {
  return { callId: dialog.callId, toTag: dialog.remoteTag, fromTag: dialog.localTag };
}

/** `sip:bob@host?Replaces=<escaped>` (RFC 3515 §2.1: headers in a Refer-To URI are %-escaped). */
export function referToWithReplaces(uri: string, r: ReplacesHeader): string {
  const value = `${r.callId};to-tag=${r.toTag};from-tag=${r.fromTag}`;
  return `${stripHeaders(uri)}?Replaces=${encodeURIComponent(value)}`;
}

/** Headers the remote put on its own URI are not ours to forward. */
export function stripHeaders(uri: string): string {
  const q = uri.indexOf('?');
  return q === -1 ? uri : uri.slice(0, q);
}
