/**
 * The one way into main from the UI. Every request is checked in this order
 * before a handler sees it: known channel → trusted sender → payload parsed by
 * the contract schema. Handlers get typed input and may throw ConsoleError for
 * an expected failure; anything else is logged and reported as `internal`.
 * Electron is not imported here: a UiTransport adapter (Electron's ipcMain in
 * main/desktop, playwright bindings in the test harness) feeds it.
 */
import type { z } from 'zod';
import {
  ConsoleError,
  err,
  ok,
  type EventChannel,
  type RequestChannel,
  type Result,
} from '../../preload/contract';
import type { Logger } from '../logging/logger';

/** What main knows about who sent a message. */
export interface IpcSender {
  /** Which of our windows sent it; `unknown` for anything we did not create. */
  window: 'ui' | 'media' | 'unknown';
  isMainFrame: boolean;
  /** URL of the sending frame. */
  frameUrl: string;
}

export interface UiTransport {
  /** Registers the raw listener for one channel; returns its removal. */
  handle(channel: string, listener: (sender: IpcSender, payload: unknown) => Promise<Result<unknown>>): () => void;
  /** Pushes an event to the UI window (dropped silently while it is closed: state is re-read on open). */
  push(channel: string, payload: unknown): void;
}

/**
 * True when `frameUrl` is the UI page we loaded: same scheme, and same origin
 * (http/https, the dev server or the harness) or same file (file://).
 */
export function isTrustedSender(sender: IpcSender, uiUrl: string): boolean {
  if (sender.window !== 'ui' || !sender.isMainFrame) return false;
  let actual: URL;
  let expected: URL;
  try {
    actual = new URL(sender.frameUrl);
    expected = new URL(uiUrl);
  } catch {
    return false;
  }
  if (actual.protocol !== expected.protocol) return false;
  if (expected.protocol === 'file:') return actual.pathname === expected.pathname;
  return actual.origin === expected.origin;
}

export function describeZodError(error: z.ZodError): string {
  // Bounded: zod lists every unknown key in its message, and those keys came from the renderer.
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message).slice(0, 300))
    .join('; ');
}

/**
 * Field path → first message for that field, for inline form validation.
 * Unknown keys (reported by zod on the parent object) are listed under their own names.
 * Bounded (count and path length): the payload, and so its key names, came from the renderer.
 */
export function zodFieldErrors(error: z.ZodError, limit = 20): Record<string, string> {
  const fields: Record<string, string> = {};
  let count = 0;
  const add = (path: PropertyKey[], message: string) => {
    const key = path.map(String).join('.').slice(0, 128);
    if (count >= limit || key in fields) return;
    fields[key] = message.slice(0, 300);
    count++;
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...issue.path, key], 'This field is not allowed here');
    } else if (issue.path.length > 0) add(issue.path, issue.message);
  }
  return fields;
}

export interface Router {
  handle<C extends RequestChannel>(
    channel: C,
    handler: (input: z.output<C['request']>) => Promise<z.input<C['response']>> | z.input<C['response']>,
  ): void;
  push<C extends EventChannel>(channel: C, payload: z.input<C['payload']>): void;
  dispose(): void;
}

export function createRouter(transport: UiTransport, options: { uiUrl: () => string; log: Logger }): Router {
  const removals: Array<() => void> = [];
  const registered = new Set<string>();

  return {
    handle(channel, handler) {
      if (registered.has(channel.name)) throw new Error(`channel ${channel.name} registered twice`);
      registered.add(channel.name);
      removals.push(
        transport.handle(channel.name, async (sender, raw) => {
          if (!isTrustedSender(sender, options.uiUrl())) {
            options.log.warn('ipc: refused message from untrusted sender', {
              channel: channel.name,
              window: sender.window,
              frameUrl: sender.frameUrl,
            });
            return err('untrusted-sender', 'This window is not allowed to use the console.');
          }
          const parsed = channel.request.safeParse(raw);
          if (!parsed.success) {
            return err('invalid-request', describeZodError(parsed.error), zodFieldErrors(parsed.error));
          }
          try {
            const value: unknown = await (handler as (input: unknown) => unknown)(parsed.data);
            // The response is validated too: a bug in main must not hand the UI a malformed snapshot.
            const checked = channel.response.safeParse(value);
            if (!checked.success) {
              options.log.error('ipc: handler returned a value outside its schema', {
                channel: channel.name,
                issues: describeZodError(checked.error),
              });
              return err('internal', 'The console produced an invalid answer; it has been logged.');
            }
            return ok(checked.data);
          } catch (e) {
            if (e instanceof ConsoleError) return err(e.code, e.message, e.fields);
            options.log.error('ipc: handler failed', { channel: channel.name, error: String(e) });
            return err('internal', 'Something went wrong inside the console; it has been logged.');
          }
        }),
      );
    },
    push(channel, payload) {
      const checked = channel.payload.safeParse(payload);
      if (!checked.success) {
        options.log.error('ipc: refused to push an event outside its schema', {
          channel: channel.name,
          issues: describeZodError(checked.error),
        });
        return;
      }
      transport.push(channel.name, checked.data);
    },
    dispose() {
      for (const remove of removals.splice(0)) remove();
      registered.clear();
    },
  };
}
