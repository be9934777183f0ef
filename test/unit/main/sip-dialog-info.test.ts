import { describe, expect, it } from 'vitest';
import {
  applyDialogInfo,
  emptyBook,
  MAX_BODY,
  parseDialogInfo,
  parsePidf,
  parseXml,
  presenceOfDialogs,
  presenceOfPidf,
  type DialogBook,
  type DialogInfo,
} from '../../../main/sip/dialog-info';

const doc = (inner: string, attrs = 'version="1" state="full"') =>
  `<?xml version="1.0"?>\n<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" ${attrs} entity="sip:2001@lab.invalid">${inner}</dialog-info>`;
const dialog = (id: string, state: string, extra = '') => `<dialog id="${id}" call-id="c-${id}" direction="recipient"${extra}><state>${state}</state></dialog>`;

const parse = (body: string): DialogInfo => {
  const r = parseDialogInfo(body);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const fold = (...bodies: string[]): DialogBook => bodies.reduce((book, b) => applyDialogInfo(book, parse(b)).book, emptyBook);

describe('dialog-info: well-formed bodies (RFC 4235)', () => {
  it('Kamailio-style empty full document → available', () => {
    const info = parse(doc('', 'version="0" state="full"'));
    expect(info).toEqual({ version: 0, full: true, entity: 'sip:2001@lab.invalid', dialogs: [], skipped: 0 });
    expect(presenceOfDialogs(fold(doc('', 'version="0" state="full"')))).toBe('available');
  });

  it.each([
    ['trying', 'ringing'],
    ['proceeding', 'ringing'],
    ['early', 'ringing'],
    ['confirmed', 'busy'],
    ['terminated', 'available'],
  ] as const)('one dialog %s → %s', (state, presence) => {
    expect(presenceOfDialogs(fold(doc(dialog('d1', state))))).toBe(presence);
  });

  it('reads prefixes, attributes in either quotes, entities, CDATA, comments and a self-closing root', () => {
    const body = `\uFEFF<?xml version='1.0' encoding='UTF-8'?><!-- busy lamp -->
      <d:dialog-info xmlns:d='urn:ietf:params:xml:ns:dialog-info' version='7' state='full' entity='sip:a&amp;b@x'>
        <d:dialog id='x&#49;' direction="initiator"><d:state event="replaced"> <![CDATA[confirmed]]> </d:state>
          <d:local><d:identity display="A &lt;B&gt;">sip:a@x</d:identity></d:local></d:dialog>
      </d:dialog-info>`;
    expect(parse(body)).toEqual({ version: 7, full: true, entity: 'sip:a&b@x', dialogs: [{ id: 'x1', state: 'confirmed', direction: 'initiator' }], skipped: 0 });
    expect(parse('<dialog-info version="3" state="full"/>').dialogs).toEqual([]);
  });

  it('a dialog without id falls back to its call-id; state text is case- and space-tolerant', () => {
    expect(parse(doc('<dialog call-id="abc"><state>\n  EARLY \n</state></dialog>')).dialogs).toEqual([{ id: 'abc', state: 'early', direction: null }]);
  });
});

describe('dialog-info: partial and multi-dialog documents', () => {
  it('busy wins over ringing wins over idle, whatever the order', () => {
    expect(presenceOfDialogs(fold(doc(dialog('a', 'early') + dialog('b', 'confirmed'))))).toBe('busy');
    expect(presenceOfDialogs(fold(doc(dialog('a', 'terminated') + dialog('b', 'early'))))).toBe('ringing');
  });

  it('partial updates merge by dialog id; terminated ones are forgotten', () => {
    const book = fold(
      doc(dialog('a', 'confirmed'), 'version="1" state="full"'),
      doc(dialog('b', 'early'), 'version="2" state="partial"'),
    );
    expect([...book.dialogs]).toEqual([
      ['a', 'confirmed'],
      ['b', 'early'],
    ]);
    const after = fold(
      doc(dialog('a', 'confirmed'), 'version="1" state="full"'),
      doc(dialog('b', 'early'), 'version="2" state="partial"'),
      doc(dialog('a', 'terminated'), 'version="3" state="partial"'),
    );
    expect(presenceOfDialogs(after)).toBe('ringing');
  });

  it('a full document replaces what a subscription knew', () => {
    const book = fold(doc(dialog('a', 'confirmed'), 'version="1" state="full"'), doc(dialog('b', 'early'), 'version="2" state="full"'));
    expect([...book.dialogs.keys()]).toEqual(['b']);
  });

  it('an old or repeated version is stale and changes nothing', () => {
    const book = fold(doc(dialog('a', 'confirmed'), 'version="5" state="full"'));
    const again = applyDialogInfo(book, parse(doc('', 'version="5" state="full"')));
    const older = applyDialogInfo(book, parse(doc('', 'version="4" state="full"')));
    expect(again.stale).toBe(true);
    expect(older.stale).toBe(true);
    expect(older.book).toBe(book);
    expect(applyDialogInfo(book, parse(doc('', 'version="6" state="full"'))).stale).toBe(false);
  });

  it('a document without version is applied, and keeps the last version seen', () => {
    const book = fold(doc(dialog('a', 'early'), 'version="2" state="full"'), doc(dialog('a', 'confirmed'), 'state="partial"'));
    expect(book.version).toBe(2);
    expect(presenceOfDialogs(book)).toBe('busy');
  });

  it('dialogs with no id or an unknown state are skipped and counted, the rest is read', () => {
    const info = parse(doc('<dialog><state>confirmed</state></dialog>' + dialog('b', 'on-fire') + dialog('c', 'early') + '<dialog id="d"/>'));
    expect(info.dialogs.map((d) => d.id)).toEqual(['c']);
    expect(info.skipped).toBe(3);
  });
});

describe('dialog-info: hostile and broken bodies are refused, never thrown', () => {
  const refused: Array<[string, string]> = [
    ['empty', ''],
    ['not XML', 'hello'],
    ['truncated', doc(dialog('a', 'confirmed')).slice(0, -10)],
    ['unclosed child', '<dialog-info version="1" state="full"><dialog id="a"><state>early</state></dialog-info>'],
    ['mismatched close', '<dialog-info><dialog id="a"></state></dialog></dialog-info>'],
    ['wrong root', '<presence><dialog id="a"><state>confirmed</state></dialog></presence>'],
    ['two roots', '<dialog-info/><dialog-info/>'],
    ['text after root', '<dialog-info/>trailing'],
    ['billion laughs', '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><dialog-info>&lol2;</dialog-info>'],
    ['external entity', '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><dialog-info>&x;</dialog-info>'],
    ['unknown entity', '<dialog-info entity="&x;"/>'],
    ['bare ampersand', '<dialog-info><dialog id="a&b"><state>early</state></dialog></dialog-info>'],
    ['unterminated attribute', '<dialog-info version="1/>'],
    ['unquoted attribute', '<dialog-info version=1/>'],
    ['garbage in tag', '<dialog-info <dialog>/>'],
    ['version not a number', '<dialog-info version="1e3" state="full"/>'],
    ['negative version', '<dialog-info version="-1" state="full"/>'],
    ['unknown state attribute', '<dialog-info version="1" state="everything"/>'],
    ['unterminated comment', '<dialog-info><!-- </dialog-info>'],
    ['unterminated CDATA', '<dialog-info><![CDATA[ </dialog-info>'],
    ['deep nesting', `${'<a>'.repeat(40)}${'</a>'.repeat(40)}`],
    ['too many elements', `<dialog-info>${'<x/>'.repeat(6000)}</dialog-info>`],
    ['too large', `<dialog-info>${' '.repeat(MAX_BODY)}</dialog-info>`],
    ['binary', '\u0000\u0001<\u0002>'],
  ];
  it.each(refused)('%s', (_, body) => {
    const r = parseDialogInfo(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/\w/);
  });

  it('non-string input does not throw', () => {
    expect(parseDialogInfo(undefined as unknown as string).ok).toBe(false);
    expect(parseDialogInfo(42 as unknown as string).ok).toBe(false);
  });

  it('a long run of attributes or text parses in linear time', () => {
    // Bodies of size n and 10n: linear work takes about 10× as long, quadratic about 100×. The bound is
    // this machine's own baseline (the n-sized parse, timed in this run, best of several), not a wall-clock limit.
    const bodies = (n: number) => [
      `<dialog-info ${Array.from({ length: n }, (_, i) => `a${i}="${i}"`).join(' ')}/>`,
      `<dialog-info>${'&amp;'.repeat(4 * n)}</dialog-info>`,
      `<dialog-info>${'<'.repeat(10 * n)}`,
    ];
    const small = bodies(1_000);
    const large = bodies(10_000);
    expect(large.map((b) => parseXml(b).ok)).toEqual([true, true, false]);
    const best = (inputs: string[]) => {
      let min = Infinity;
      for (let run = 0; run < 7; run++) {
        const started = performance.now();
        for (const b of inputs) parseXml(b);
        min = Math.min(min, performance.now() - started);
      }
      return min;
    };
    best(large); // warm-up: the JIT compiles the parser before anything is timed
    const ratio = best(large) / Math.max(best(small), 0.05);
    expect(ratio, `10× the input took ${ratio.toFixed(1)}× the time`).toBeLessThan(40);
  });

  it('fuzzed mutations of a valid body never throw', () => {
    const base = doc(dialog('a', 'confirmed') + dialog('b', 'early'));
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = '<>/="\'&;!?[]-x \n';
    for (let n = 0; n < 3000; n++) {
      const chars = [...base];
      for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) {
        const at = Math.floor(rnd() * chars.length);
        const op = rnd();
        if (op < 0.4) chars.splice(at, 1);
        else if (op < 0.8) chars[at] = alphabet[Math.floor(rnd() * alphabet.length)]!;
        else chars.splice(at, 0, alphabet[Math.floor(rnd() * alphabet.length)]!);
      }
      const r = parseDialogInfo(chars.join(''));
      if (r.ok) for (const d of r.value.dialogs) expect(['trying', 'proceeding', 'early', 'confirmed', 'terminated']).toContain(d.state);
    }
  });
});

describe('PIDF (RFC 3863 + RFC 4480 activities)', () => {
  const pidf = (inner: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:2001@lab.invalid">${inner}</presence>`;
  const read = (body: string) => {
    const r = parsePidf(body);
    if (!r.ok) throw new Error(r.error);
    return presenceOfPidf(r.value);
  };

  it.each([
    ['open', pidf('<tuple id="t"><status><basic>open</basic></status></tuple>'), 'available'],
    ['closed', pidf('<tuple id="t"><status><basic>closed</basic></status></tuple>'), 'offline'],
    ['one of two tuples open', pidf('<tuple id="a"><status><basic>closed</basic></status></tuple><tuple id="b"><status><basic>open</basic></status></tuple>'), 'available'],
    ['open + rpid:away', pidf('<tuple id="t"><status><basic>open</basic></status></tuple><dm:person id="p"><rpid:activities><rpid:away/></rpid:activities></dm:person>'), 'away'],
    ['open + note "Away"', pidf('<tuple id="t"><status><basic>open</basic></status></tuple><note>Away</note>'), 'away'],
    ['open + dm:note "Out to lunch"', pidf('<tuple id="t"><status><basic>open</basic></status></tuple><dm:person id="p"><dm:note>Out to lunch</dm:note></dm:person>'), 'away'],
    ['open + on-the-phone', pidf('<tuple id="t"><status><basic>open</basic></status></tuple><dm:person id="p"><rpid:activities><rpid:on-the-phone/></rpid:activities></dm:person>'), 'busy'],
    ['open + note "Available"', pidf('<tuple id="t"><status><basic>open</basic></status><note>Available</note></tuple>'), 'available'],
    ['closed + away', pidf('<tuple id="t"><status><basic>closed</basic></status></tuple><note>away</note>'), 'offline'],
    ['no basic', pidf('<tuple id="t"><status/></tuple>'), 'unknown'],
  ])('%s → %s', (_, body, presence) => {
    expect(read(body)).toBe(presence);
  });

  it('refuses a non-presence root and hostile bodies', () => {
    expect(parsePidf('<dialog-info/>').ok).toBe(false);
    expect(parsePidf('<!DOCTYPE p [<!ENTITY a "b">]><presence/>').ok).toBe(false);
    expect(parsePidf(pidf('<tuple><status><basic>open</basic></status>')).ok).toBe(false);
  });
});
