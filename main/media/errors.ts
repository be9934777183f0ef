/**
 * Typed failures of the media host. They are ConsoleErrors with code
 * `unavailable` so the call service can forward them to the UI as data.
 */
import { ConsoleError } from '../../preload/contract/result';

/** The media host died (crash, failed load) or is not up: the RPC can never be answered. */
export class MediaHostGoneError extends ConsoleError {
  constructor(readonly reason: string) {
    super('unavailable', `The media host stopped (${reason}).`);
    this.name = 'MediaHostGoneError';
  }
}

/** The media host did not answer within the time-out. */
export class MediaTimeoutError extends ConsoleError {
  constructor(
    readonly op: string,
    readonly ms: number,
  ) {
    super('unavailable', `The media host did not answer ${op} within ${ms} ms.`);
    this.name = 'MediaTimeoutError';
  }
}

/** The host ran the operation and the browser refused it (its DOMException name is kept). */
export class MediaOperationError extends ConsoleError {
  constructor(
    readonly op: string,
    readonly domName: string,
    message: string,
  ) {
    super('unavailable', `${op} failed: ${domName}: ${message}`);
    this.name = domName;
  }
}

/** A malformed message from the host (it is a renderer: untrusted input). */
export class MediaProtocolError extends ConsoleError {
  constructor(message: string) {
    super('internal', message);
    this.name = 'MediaProtocolError';
  }
}
