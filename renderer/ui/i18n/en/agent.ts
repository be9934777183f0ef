/** The agent's own status in the header: available, away, wrap-up with its countdown. */
export const agent = {
  'agent.label': 'Your status',
  'agent.status.available': 'Available',
  'agent.status.away': 'Away',
  'agent.status.wrap-up': 'Wrap-up',
  'agent.wrapUp.left': 'Wrap-up {time}',
  'agent.wrapUp.leftLong': 'After-call work, {duration} left',
  'agent.wrapUp.extend': 'More time',
  'agent.wrapUp.end': 'Ready',
  'agent.quiet': 'Do not disturb',
  'agent.platform.pending': 'Telling the platform…',
  'agent.platform.failed': 'The platform did not take your status: {message}',
} as const;
