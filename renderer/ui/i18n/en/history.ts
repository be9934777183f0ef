/** Strings of the history area (keys start with `history.`). */
export const history = {} as const;
