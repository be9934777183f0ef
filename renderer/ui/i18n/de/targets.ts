import type { targets as en } from '../en/targets';

export const targets: Record<keyof typeof en, string> = {};
