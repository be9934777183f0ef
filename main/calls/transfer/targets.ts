/**
 * Transfer targets: a number, a SIP URI, a configured queue or a colleague
 * (name + address) → one resolved target with the URI that goes into
 * Refer-To or the consult INVITE. Pure. Bad input is refused with
 * ConsoleError('invalid-target') and a sentence the agent can act on.
 */
import { ConsoleError } from '../../../preload/contract/result';
import { transferTargetSchema, type TransferTarget } from '../../../preload/contract/transfer';
import type { Preferences } from '../../../preload/contract/settings';
import { InvalidDialTarget, normaliseDialTarget } from '../numbers';
import type { ResolvedTarget, TransferOptions } from './types';

/** Parses anything (IPC payload, stored favourite) into a target, or throws invalid-target. */
export function parseTransferTarget(raw: unknown): TransferTarget {
  const parsed = transferTargetSchema.safeParse(raw);
  if (!parsed.success) {
    const message = parsed.error.issues
      .slice(0, 3)
      .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
      .join('; ');
    throw new ConsoleError('invalid-target', message);
  }
  return parsed.data;
}

/**
 * `domain` is the account's SIP domain: numbers and extensions are dialled on
 * it, exactly as the agent's own calls are (numbers.ts).
 */
export function resolveTransferTarget(raw: unknown, domain: string): ResolvedTarget {
  const target = parseTransferTarget(raw);
  switch (target.kind) {
    case 'number': {
      const dial = toDial(target.number, domain);
      return { kind: 'number', label: dial.display, uri: dial.uri };
    }
    case 'uri': {
      const dial = toDial(target.uri, domain);
      return { kind: 'uri', label: dial.display, uri: dial.uri };
    }
    case 'queue':
    case 'colleague': {
      const dial = toDial(target.address, domain);
      return { kind: target.kind, label: target.name, uri: dial.uri };
    }
  }
}

function toDial(text: string, domain: string) {
  try {
    const dial = normaliseDialTarget(text, domain);
    // A Refer-To carrying its own ?headers could smuggle a Replaces or a Require (RFC 3515 §2.1).
    if (dial.uri.includes('?')) throw new ConsoleError('invalid-target', `"${text}" carries ?headers; give a plain SIP address.`);
    return dial;
  } catch (error) {
    if (error instanceof InvalidDialTarget) throw new ConsoleError('invalid-target', error.message);
    throw error;
  }
}

/** preferences.transfer + the per-transfer `safe` override → what one transfer does. */
export function transferOptions(prefs: Preferences['transfer'], override?: { safe?: boolean | undefined }): TransferOptions {
  return {
    safe: override?.safe ?? prefs.safeBlind,
    undoMs: Math.round(prefs.undoWindowSec * 1000),
    referTimeoutMs: prefs.safeBlindTimeoutSec * 1000,
    completeTimeoutMs: prefs.completeTimeoutSec * 1000,
    // One "no answer" time for every transfer target, blind or consulted.
    consultTimeoutMs: prefs.safeBlindTimeoutSec * 1000,
  };
}
