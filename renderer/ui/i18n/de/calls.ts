import type { calls as en } from '../en/calls';

export const calls: Record<keyof typeof en, string> = {};
