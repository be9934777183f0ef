/** Strings of the desktop area (keys start with `desktop.`). */
export const desktop = {} as const;
