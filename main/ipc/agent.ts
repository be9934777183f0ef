/** agent:* → the agent's status (main/core/agent.ts). Validation already happened in the router (contract schemas). */
import { contract } from '../../preload/contract';
import type { AgentCore } from '../core/agent';
import type { Router } from './router';

export function registerAgentHandlers(router: Router, agent: Pick<AgentCore, 'view' | 'set' | 'extendWrapUp' | 'endWrapUp' | 'setDoNotDisturb'>): void {
  const a = contract.agent;
  router.handle(a.status, () => agent.view());
  router.handle(a.set, ({ status }) => agent.set(status));
  router.handle(a.extendWrapUp, () => agent.extendWrapUp());
  router.handle(a.endWrapUp, () => agent.endWrapUp());
  router.handle(a.setDoNotDisturb, ({ on }) => agent.setDoNotDisturb(on));
}
