/**
 * The agent's status in the header (renderer/ui/components/AgentStatus.svelte
 * over state/agent.svelte.ts): only main's allowed choices, the wrap-up
 * countdown with More time and Ready, main's refusal shown; and the desktop
 * layer's dial request pre-fills the dialer without dialling.
 */
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { AgentView } from '../../../preload/contract';
import AgentStatus from '../../../renderer/ui/components/AgentStatus.svelte';
import { ConsoleModel } from '../../../renderer/ui/state/console.svelte';
import { fakeConsoleApi } from '../../support/console-api';

const view = (over: Partial<AgentView> = {}): AgentView => ({
  status: 'available',
  since: 1_000,
  wrapUp: null,
  doNotDisturb: false,
  quiet: false,
  quietCalls: 'ring',
  platform: { state: 'none', message: null },
  allowedActions: ['away', 'wrap-up'],
  ...over,
});

describe('agent status in the header', () => {
  it('offers the current status and what main allows, and reports the choice', async () => {
    const onstatus = vi.fn();
    render(AgentStatus, { props: { view: view(), now: 2_000, error: null, onstatus, onextend: vi.fn(), onend: vi.fn() } });
    const select = screen.getByLabelText('Your status') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['Available', 'Away', 'Wrap-up']);
    await fireEvent.change(select, { target: { value: 'away' } });
    expect(onstatus).toHaveBeenCalledWith('away');
  });

  it('wrap-up: counts down to main\u2019s end, with More time and Ready where allowed', async () => {
    const onextend = vi.fn();
    const onend = vi.fn();
    const wrap = view({
      status: 'wrap-up',
      wrapUp: { startedAt: 0, endsAt: 95_000, cause: 'call-ended', extensions: 0 },
      allowedActions: ['available', 'away', 'extend-wrap-up', 'end-wrap-up'],
    });
    render(AgentStatus, { props: { view: wrap, now: 10_000, error: null, onstatus: vi.fn(), onextend, onend } });
    expect(screen.getByRole('timer').textContent).toBe('1:25');
    await fireEvent.click(screen.getByRole('button', { name: 'More time' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Ready' }));
    expect(onextend).toHaveBeenCalledOnce();
    expect(onend).toHaveBeenCalledOnce();
  });

  it('main\u2019s refusal is shown as an alert', () => {
    render(AgentStatus, { props: { view: view(), now: 0, error: 'Not while a call rings.', onstatus: vi.fn(), onextend: vi.fn(), onend: vi.fn() } });
    expect(screen.getByRole('alert').textContent).toBe('Not while a call rings.');
  });
});

describe('links from the desktop', () => {
  it('a tel: link taken from main pre-fills the dialer and dials nothing', async () => {
    const fake = fakeConsoleApi({
      answers: {
        'desktop:take-dial-request': () => ({ ok: true, value: { id: 'd1', number: '+44 20 7946 0018', source: 'link', at: 1 } }),
      },
    });
    const model = new ConsoleModel(fake.api);
    const stop = model.start();
    await vi.waitFor(() => expect(model.calls.target).toBe('+44 20 7946 0018'));
    expect(model.view).toBe('calls');
    expect(fake.raw.calls.dial).not.toHaveBeenCalled();
    stop();
  });
});
