import type { common as en } from '../en/common';

export const common: Record<keyof typeof en, string> = {
  'app.name': 'Agent Console',
  'nav.sections': 'Bereiche',
  'nav.calls': 'Anrufe',
  'nav.history': 'Verlauf',
  'nav.settings': 'Einstellungen',
  'common.dismiss': 'Schließen',
  'common.close': 'Schließen',
  'common.cancel': 'Abbrechen',
  'common.save': 'Speichern',
};
