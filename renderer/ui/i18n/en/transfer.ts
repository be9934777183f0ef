/** Strings of the transfer area (keys start with `transfer.`). */
export const transfer = {} as const;
