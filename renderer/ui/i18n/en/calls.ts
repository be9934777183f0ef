/** Strings of the calls area (keys start with `calls.`). */
export const calls = {} as const;
