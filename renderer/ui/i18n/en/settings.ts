/** Strings of the settings area (keys start with `settings.`). */
export const settings = {} as const;
