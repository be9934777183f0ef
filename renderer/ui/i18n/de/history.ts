import type { history as en } from '../en/history';

export const history: Record<keyof typeof en, string> = {};
