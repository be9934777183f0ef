/**
 * Logging through electron-log's Node entry point (so it runs the same in
 * Electron main, the headless harness and tests): a rotating file in the data
 * folder plus the console, levels, and redaction applied as the first hook so
 * no transport ever sees a secret.
 */
import log from 'electron-log/node';
import { join } from 'node:path';
import { redact } from './redact';

export type LogLevel = 'error' | 'warn' | 'info' | 'verbose' | 'debug';

export interface Logger {
  error(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  debug(message: string, data?: unknown): void;
  /** A logger whose lines carry a scope, e.g. `sip` or `history`. */
  scope(name: string): Logger;
}

export interface LoggerOptions {
  /** Folder for `console.log` and its rotated `console.old.log`; null: no file. */
  dir: string | null;
  fileLevel?: LogLevel | false;
  consoleLevel?: LogLevel | false;
  /** Rotate when the file passes this size (bytes). */
  maxSize?: number;
  /** Instance id, so tests and the harness get independent loggers. */
  id?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  const instance = log.create({ logId: options.id ?? 'agent-console' });
  instance.hooks.push((message) => {
    message.data = message.data.map((d) => redact(d));
    return message;
  });
  if (options.dir) {
    instance.transports.file.level = options.fileLevel ?? 'info';
    instance.transports.file.maxSize = options.maxSize ?? 5 * 1024 * 1024;
    const file = join(options.dir, 'console.log');
    instance.transports.file.resolvePathFn = () => file;
  } else {
    instance.transports.file.level = false;
  }
  instance.transports.console.level = options.consoleLevel ?? 'warn';

  const wrap = (scoped: typeof instance.scope extends (n: string) => infer S ? S : never | typeof instance): Logger => ({
    error: (m, d) => (d === undefined ? scoped.error(m) : scoped.error(m, d)),
    warn: (m, d) => (d === undefined ? scoped.warn(m) : scoped.warn(m, d)),
    info: (m, d) => (d === undefined ? scoped.info(m) : scoped.info(m, d)),
    debug: (m, d) => (d === undefined ? scoped.debug(m) : scoped.debug(m, d)),
    scope: (name) => wrap(instance.scope(name)),
  });
  return wrap(instance);
}

/** A logger that writes nowhere, for unit tests that do not assert on logs. */
export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  scope: () => silentLogger,
};
