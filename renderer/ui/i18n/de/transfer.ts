import type { transfer as en } from '../en/transfer';

export const transfer: Record<keyof typeof en, string> = {};
