/**
 * The suite's own prerequisites check (test/support/prerequisites.mjs, used by
 * test/run.mjs): it knows every vitest project, says what is missing in one
 * message with the one command that installs it, and blocks exactly the
 * projects that need it.
 */
import { describe, expect, it } from 'vitest';
import config from '../../../vitest.config';
import { blockedProjects, describeMissing, prerequisites, PROJECTS } from '../../support/prerequisites.mjs';

const byId = (...ids: string[]) => prerequisites.filter((p) => ids.includes(p.id));

describe('test prerequisites', () => {
  it('knows every vitest project, no more, no less', () => {
    const names = (config.test?.projects ?? []).map((p) => (typeof p === 'object' && p && 'test' in p ? p.test?.name : null));
    expect([...PROJECTS].sort()).toEqual(names.filter((n): n is string => typeof n === 'string').sort());
  });

  it('without Chromium, the browser-driven projects are blocked and unit, renderer, integration still run', () => {
    const blocked = blockedProjects(byId('chromium'));
    expect(blocked.sort()).toEqual(['demo', 'lab', 'media', 'ui']);
    expect(PROJECTS.filter((p) => !blocked.includes(p))).toEqual(expect.arrayContaining(['unit', 'renderer', 'integration']));
  });

  it('without Kamailio or SIPp only the lab is blocked', () => {
    expect(blockedProjects(byId('kamailio'))).toEqual(['lab']);
    expect(blockedProjects(byId('sipp'))).toEqual(['lab']);
  });

  it('one message names each missing piece, what needs it, and one command that installs them all', () => {
    const text = describeMissing(byId('chromium', 'kamailio'));
    expect(text).toContain('Chromium at /usr/bin/chromium');
    expect(text).toContain('needed by the SIP lab');
    expect(text).toContain('apt-get install -y chromium kamailio kamailio-websocket-modules kamailio-presence-modules');
    expect(text).toContain('SKIPPED: media, ui, lab, demo');
    expect(describeMissing([])).toBe('');
  });
});
