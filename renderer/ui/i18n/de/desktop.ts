import type { desktop as en } from '../en/desktop';

export const desktop: Record<keyof typeof en, string> = {};
