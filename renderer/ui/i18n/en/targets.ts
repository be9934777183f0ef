/** Strings of the targets area (keys start with `targets.`). */
export const targets = {} as const;
