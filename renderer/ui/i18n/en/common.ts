/** Strings shared by every view: navigation, the window title, generic buttons. */
export const common = {
  'app.name': 'Agent Console',
  'nav.sections': 'Sections',
  'nav.calls': 'Calls',
  'nav.history': 'History',
  'nav.settings': 'Settings',
  'common.dismiss': 'Dismiss',
  'common.close': 'Close',
  'common.cancel': 'Cancel',
  'common.save': 'Save',
} as const;
