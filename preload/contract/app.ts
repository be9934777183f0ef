import { z } from 'zod';
import { event, noInput, request } from './define';

export const appInfoSchema = z.strictObject({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  /** Electron version, or null when the core runs headless (harness, tests). */
  electron: z.string().nullable(),
  dataDir: z.string(),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

/** Something the agent or admin must know that is not tied to a call (e.g. a settings file kept aside). */
export const noticeSchema = z.strictObject({
  id: z.string(),
  level: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  at: z.number(),
});
export type Notice = z.infer<typeof noticeSchema>;

export const app = {
  info: request('app:info', noInput, appInfoSchema),
  notices: request('app:notices', noInput, z.array(noticeSchema)),
  dismissNotice: request('app:dismiss-notice', z.string().min(1).max(64), z.null()),
  noticeAdded: event('app:notice', noticeSchema),
} as const;
