/**
 * Making a transferrer safe to keep (main/history/transferrer.ts): what the
 * columns of migrations/0008 accept, whatever another party's headers held.
 */
import { describe, expect, it } from 'vitest';
import { transferrerBounds, transferrerSchema } from '../../../preload/contract';
import { cutToBound, safeTransferrer, transferrerColumns } from '../../../main/history/transferrer';

describe('cutToBound', () => {
  it('leaves what fits, and cuts the rest with an ellipsis inside the bound', () => {
    expect(cutToBound('Anna Berg', 9)).toBe('Anna Berg');
    expect(cutToBound('Anna Berg', 8)).toBe('Anna Be…');
    expect(cutToBound('Anna Berg', 6)).toBe('Anna…'); // no space left before the ellipsis
  });

  it('never splits a surrogate pair', () => {
    const cut = cutToBound('ab😀😀', 4);
    expect(cut).toBe('ab…');
    expect(cut.length).toBeLessThanOrEqual(4);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/); // no lone surrogate
  });
});

/** C0, DEL, C1 and the line/paragraph separators. */
const isControl = (ch: string) => {
  const c = ch.codePointAt(0)!;
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029;
};

describe('safeTransferrer', () => {
  it('keeps a well-formed party as it is', () => {
    const anna = { number: '2001', uri: 'sip:2001@pbx.example.com', displayName: 'Anna Berg' };
    expect(safeTransferrer(anna)).toEqual(anna);
    expect(transferrerColumns(anna)).toEqual({ transferredByName: 'Anna Berg', transferredByNumber: '2001', transferredByUri: 'sip:2001@pbx.example.com' });
  });

  it('is null, and the columns NULL, when nothing usable was given', () => {
    for (const given of [null, undefined, {}, { displayName: ' ' }, { uri: 'sip:a b@c' }, { displayName: '\r\n\u0000' }]) {
      expect(safeTransferrer(given), JSON.stringify(given)).toBeNull();
    }
    expect(transferrerColumns(undefined)).toEqual({ transferredByName: null, transferredByNumber: null, transferredByUri: null });
  });

  it('always gives what the contract accepts, whatever it was handed', () => {
    const nasty = ['\u0000', '\r\n', '\u0085', '\u2028', '😀', 'é', ' ', 'A', '<', '"', '=', ';', '%0D%0A'];
    let seed = 7;
    const pick = () => nasty[(seed = (seed * 48271) % 2147483647) % nasty.length]!;
    for (let i = 0; i < 300; i++) {
      const make = (n: number) => Array.from({ length: n }, pick).join('');
      const given = { displayName: make(i * 3), number: make(i), uri: `sip:${make(i % 40)}@pbx` };
      const safe = safeTransferrer(given);
      if (safe === null) continue;
      expect(transferrerSchema.safeParse(safe).success).toBe(true);
      for (const v of [safe.displayName, safe.number]) if (v !== null) expect([...v].filter(isControl), v).toEqual([]);
      expect(safe.displayName?.length ?? 0).toBeLessThanOrEqual(transferrerBounds.displayName);
    }
  });
});
