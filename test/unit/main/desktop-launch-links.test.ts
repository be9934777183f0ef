/**
 * Click-to-dial parsing (main/desktop/launch-links.ts) with what real links
 * look like and what a hostile program could pass: every refusal has a
 * message naming the value (printable, short), nothing malformed is half-used.
 */
import { describe, expect, it } from 'vitest';
import { launchItems, parseDialLink, shown } from '../../../main/desktop/launch-links';

const number = (value: string) => {
  const r = parseDialLink(value);
  if (!r.ok) throw new Error(r.message);
  return r.number;
};
const refusal = (value: string) => {
  const r = parseDialLink(value);
  if (r.ok) throw new Error(`accepted ${value} as ${r.number}`);
  return r.message;
};

describe('tel: links', () => {
  it.each([
    ['tel:+1-201-555-0123', '+12015550123'],
    ['TEL:+49 (30) 1234.5678', '+493012345678'],
    ['tel:%2B44%2020%207946%200018', '+442079460018'],
    ['tel://2001', '2001'],
    ['tel:7042;phone-context=example.com', '7042'],
    ['tel:+1-201-555-0123;ext=1234', '+12015550123'],
    ['tel:*21#', '*21#'],
  ])('%s → %s', (link, expected) => {
    expect(number(link)).toBe(expected);
  });

  it.each([
    ['tel:1-800-FLOWERS', /digits only, no letters/],
    ['tel:', /no number/],
    ['tel:+', /no number/],
    ['tel:++49301234', /one leading \+/],
    ['tel:12+34', /one leading \+/],
    ['tel:%0d%0aVia:%20evil', /control characters/],
    ['tel:123%00', /control characters/],
    ['tel:%E0%A4%A', /broken %-escape/],
    ['tel:+4930;<script>=1', /parameters are malformed/],
    ['tel:+4930;ext=1 2', /parameters are malformed/],
    [`tel:+${'1'.repeat(70)}`, /longer than 64 digits/],
    [`tel:${'1'.repeat(300)}`, /longer than 256 characters/],
  ])('refuses %s', (link, why) => {
    expect(refusal(link)).toMatch(why);
    expect(refusal(link)).toMatch(/^The console did not take "/);
  });
});

describe('sip: links', () => {
  it.each([
    ['sip:2002@pbx.example.com', 'sip:2002@pbx.example.com'],
    ['SIPS:sales@pbx.example.com:5061;transport=tls', 'sips:sales@pbx.example.com:5061;transport=tls'],
    ['sip:j%20doe@[2001:db8::1]', 'sip:j%20doe@[2001:db8::1]'],
  ])('%s → %s', (link, expected) => {
    expect(number(link)).toBe(expected);
  });

  it.each([
    ['sip:2002@pbx.example.com?Replaces=abc%3Bto-tag%3D1', /headers/],
    ['sip:2002@pbx.example.com?subject=hi', /headers/],
    ['sip:"evil"@pbx', /quotes, brackets or spaces/],
    ['sip:<sip:x@y>', /quotes, brackets or spaces/],
    ['sip:a b@pbx', /quotes, brackets or spaces/],
    ['sip:2002%0d%0aRoute:x@pbx', /escaped control character/],
    ['sip:2002@pbx\r\nVia: evil', /quotes, brackets or spaces/],
    ['sip:pbx.example.com', /looks like sip:name@host/],
    ['sip:@pbx.example.com', /names someone before the @/],
    ['sip:user:secret@pbx', /looks like sip:name@host/],
    [`sip:${'a'.repeat(300)}@pbx`, /longer than 256/],
  ])('refuses %s', (link, why) => {
    expect(refusal(link)).toMatch(why);
  });

  it('refuses other schemes', () => {
    expect(refusal('javascript:alert(1)')).toMatch(/only tel: and sip:/);
    expect(refusal('callto:123')).toMatch(/only tel: and sip:/);
  });
});

describe('the command line', () => {
  it('takes tel:/sip: arguments (how the OS hands over a clicked link) and --dial, ignores the rest', () => {
    const items = launchItems([
      '/opt/Agent Console/agent-console',
      '--no-sandbox',
      '--original-process-start-time=13371337',
      '.',
      'tel:+4930123',
      '--dial=2001',
      '--dial',
      'sip:2002@pbx',
    ]);
    expect(items).toEqual([
      { source: 'link', result: { ok: true, number: '+4930123' } },
      { source: 'command-line', result: { ok: true, number: '2001' } },
      { source: 'command-line', result: { ok: true, number: 'sip:2002@pbx' } },
    ]);
  });

  it('reports --dial without a value, hostile values and non-strings, and never reads past a few dozen arguments', () => {
    const items = launchItems([
      '--dial',
      '--verbose',
      '--dial=+49 30 ABC',
      '--dial=12\u0000',
      'tel:' + '9'.repeat(10_000),
      42,
      null,
      { toString: () => 'tel:1' },
    ] as unknown[]);
    expect(items.map((i) => i.result.ok)).toEqual([false, false, false, false]);
    expect(items[0]?.result).toEqual({ ok: false, message: 'The console was asked to dial (--dial) but given no number.' });
    // Messages quote the value printable: no control character reaches the agent's screen.
    expect(items.every((i) => !i.result.ok && [...i.result.message].every((c) => c.charCodeAt(0) >= 0x20))).toBe(true);
    const flood = launchItems(Array.from({ length: 100_000 }, () => 'tel:1'));
    expect(flood.length).toBe(64);
  });

  it('has nothing to say about an ordinary start', () => {
    expect(launchItems(['/usr/bin/electron', '.'])).toEqual([]);
    expect(launchItems([])).toEqual([]);
  });
});

it('shows a refused value printable and short', () => {
  expect(shown('ab\u0000\r\ncd')).toBe('abcd');
  expect(shown('x'.repeat(100))).toHaveLength(40);
});
