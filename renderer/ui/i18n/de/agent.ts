import type { agent as en } from '../en/agent';

export const agent: Record<keyof typeof en, string> = {
  'agent.label': 'Ihr Status',
  'agent.status.available': 'Verfügbar',
  'agent.status.away': 'Abwesend',
  'agent.status.wrap-up': 'Nachbearbeitung',
  'agent.wrapUp.left': 'Nachbearbeitung {time}',
  'agent.wrapUp.leftLong': 'Nachbearbeitung, noch {duration}',
  'agent.wrapUp.extend': 'Mehr Zeit',
  'agent.wrapUp.end': 'Bereit',
  'agent.quiet': 'Nicht stören',
  'agent.platform.pending': 'Plattform wird informiert …',
  'agent.platform.failed': 'Die Plattform hat Ihren Status nicht übernommen: {message}',
};
