/**
 * Building blocks of the IPC contract. A channel is declared once, here in
 * `preload/contract/`, and main, the preloads and the UI import that one
 * declaration; nobody repeats a channel string.
 */
import { z } from 'zod';

export interface RequestChannel<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly kind: 'request';
  /** `domain:verb` */
  readonly name: string;
  readonly request: Req;
  readonly response: Res;
}

export interface EventChannel<P extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  /** `domain:verb` */
  readonly name: string;
  readonly payload: P;
}

const channelName = /^[a-z][a-z-]*:[a-z][a-z-]*$/;

export function request<Req extends z.ZodType, Res extends z.ZodType>(
  name: string,
  req: Req,
  res: Res,
): RequestChannel<Req, Res> {
  if (!channelName.test(name)) throw new Error(`channel name must be domain:verb, got ${name}`);
  return { kind: 'request', name, request: req, response: res };
}

export function event<P extends z.ZodType>(name: string, payload: P): EventChannel<P> {
  if (!channelName.test(name)) throw new Error(`channel name must be domain:verb, got ${name}`);
  return { kind: 'event', name, payload };
}

export type RequestOf<C extends RequestChannel> = z.input<C['request']>;
export type ResponseOf<C extends RequestChannel> = z.output<C['response']>;
export type PayloadOf<C extends EventChannel> = z.output<C['payload']>;

/** Requests that take nothing. */
export const noInput = z.undefined();

/** A bounded, trimmed, non-empty string: every string crossing IPC has a ceiling. */
export const text = (max: number) => z.string().trim().min(1).max(max);
/** Epoch milliseconds. */
export const epochMs = z.number().int().nonnegative();
