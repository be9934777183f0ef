import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csvField, csvRow, neutraliseFormula } from '../../../main/history/csv';
import { exportColumns } from '../../../main/history/export';
import { HistoryRepository } from '../../../main/history/repository';
import { openRepo, recordCall, tempDir } from './history-fixtures';

/**
 * A strict RFC 4180 parser, written here so the test does not trust the
 * writer's own idea of CSV: fields separated by commas, records by CRLF,
 * quoted fields may hold commas, CR, LF and doubled quotes.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const fail = (why: string) => {
    throw new Error(`CSV: ${why} at offset ${i}`);
  };
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) fail('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') fail('quote or bare LF in an unquoted field');
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i++;
    } else if (text.startsWith('\r\n', i)) {
      i += 2;
      records.push(record);
      record = [];
    } else if (i < text.length) fail('expected , or CRLF');
  }
  if (record.length) fail('last record without CRLF');
  return records;
}

describe('CSV fields (RFC 4180 + OWASP CSV injection)', () => {
  it('quotes every field and doubles quotes; CR/LF stay inside the quotes', () => {
    expect(csvRow(['a', 'b,c', 'say "hi"', 'two\r\nlines', null, 42, true])).toBe(
      '"a","b,c","say ""hi""","two\r\nlines","","42","true"\r\n',
    );
    expect(parseCsv(csvRow(['x', 'y,"z"']))).toEqual([['x', 'y,"z"']]);
  });

  it('neutralises cells a spreadsheet would run as a formula', () => {
    for (const cell of [
      '=1+1',
      '=HYPERLINK("http://evil.example","click")',
      '+cmd|\' /C calc\'!A0',
      '-2+3+cmd|\' /C calc\'!A0',
      '@SUM(1+1)*cmd|\' /C calc\'!A0',
      '\t=1+1',
      '\r=1+1',
      '+1 (202) HYPERLINK("x")',
      '+A1',
      '-',
    ]) {
      expect(neutraliseFormula(cell), cell).toBe(`'${cell}`);
      expect(csvField(cell)).toBe(`"'${cell.replaceAll('"', '""')}"`);
    }
  });

  it('leaves phone numbers and ordinary text alone', () => {
    for (const cell of ['+12025550134', '+1 (202) 555-0134', '+44 20 7946 0958', '2025550134', 'Ada Lovelace', 'a=b', 'sip:+1202@x', '']) {
      expect(neutraliseFormula(cell), cell).toBe(cell);
    }
  });
});

describe('exporting the history to CSV', () => {
  let tmp: ReturnType<typeof tempDir>;
  let repo: HistoryRepository;
  const T0 = 1_790_000_000_000;
  beforeEach(() => {
    tmp = tempDir('history-csv-');
    repo = openRepo(tmp.dir);
  });
  afterEach(() => {
    repo.close();
    tmp.remove();
  });

  it('round-trips through a CSV parser with formulas neutralised and E.164 numbers intact', async () => {
    recordCall(repo, { callId: 'plain', at: T0, number: '+12025550134', name: 'Ada Lovelace', queue: 'support' });
    recordCall(repo, { callId: 'hostile', at: T0 + 1_000, number: '+1 (202) 555-0199', name: '=HYPERLINK("http://evil","x")', direction: 'outgoing' });
    recordCall(repo, { callId: 'missed', at: T0 + 2_000, number: '-2+3+cmd', name: 'Comma, "Quote"\r\nNewline', outcome: 'missed' });
    repo.addNote(2, '@SUM(1+1)');
    repo.addNote(2, 'second line, with "quotes"');
    repo.setDisposition(1, 'resolved');

    const { path, rows } = await repo.exportCsv();
    expect(rows).toBe(3);
    expect(dirname(path)).toBe(join(tmp.dir, 'exports'));
    expect(readdirSync(dirname(path)).filter((f) => f.endsWith('.partial'))).toEqual([]);

    const [header, ...records] = parseCsv(readFileSync(path, 'utf8'));
    expect(header).toEqual([...exportColumns]);
    const byId = new Map(records.map((r) => [r[1], Object.fromEntries(header!.map((h, i) => [h, r[i]]))]));
    expect(records.map((r) => r[1])).toEqual(['missed', 'hostile', 'plain']); // newest first

    expect(byId.get('plain')).toMatchObject({
      remote_number: '+12025550134',
      remote_name: 'Ada Lovelace',
      queue: 'support',
      direction: 'incoming',
      outcome: 'answered',
      duration_s: '60',
      transferred: 'no',
      disposition: 'resolved',
      started_at: new Date(T0).toISOString(),
      notes: '',
    });
    expect(byId.get('hostile')).toMatchObject({
      remote_number: '+1 (202) 555-0199',
      remote_name: `'=HYPERLINK("http://evil","x")`,
      direction: 'outgoing',
      notes: `'@SUM(1+1)\nsecond line, with "quotes"`,
    });
    expect(byId.get('missed')).toMatchObject({
      remote_number: "'-2+3+cmd",
      remote_name: 'Comma, "Quote"\r\nNewline',
      outcome: 'missed',
      answered_at: '',
      duration_s: '',
      sip_code: '487',
    });
    // No cell of the file starts a formula.
    for (const r of records) for (const cell of r) expect(cell, cell).not.toMatch(/^[=@\t\r-]|^\+(?![\d ().-]+$)/);
  });

  it('writes who transferred a call in the last three columns (after every older column), neutralised like any cell', async () => {
    expect(exportColumns.slice(-4)).toEqual(['notes', 'transferred_by_name', 'transferred_by_number', 'transferred_by_uri']);
    const arrive = (callId: string, at: number, transferredBy: { number?: string | null; uri?: string | null; displayName?: string | null }) => {
      repo.callStarted({ callId, direction: 'incoming', localLine: 'sip:1001@pbx', remote: { number: '+12025550134', displayName: 'Ada Lovelace' }, transferredBy, at });
      repo.callEnded({ callId, at: at + 5_000, outcome: 'missed', endedBy: 'remote' });
    };
    arrive('via-anna', T0, { number: '2001', uri: 'sip:2001@pbx.example.com', displayName: 'Anna Berg' });
    arrive('via-formula', T0 + 1_000, { displayName: '=cmd|"/c calc"!A1', number: '-2001' });
    recordCall(repo, { callId: 'plain', at: T0 + 2_000, number: '2003' });

    const { path } = await repo.exportCsv();
    const [header, ...records] = parseCsv(readFileSync(path, 'utf8'));
    expect(header).toEqual([...exportColumns]);
    const byId = new Map(records.map((r) => [r[1], Object.fromEntries(header!.map((h, i) => [h, r[i]]))]));
    expect(byId.get('via-anna')).toMatchObject({ transferred_by_name: 'Anna Berg', transferred_by_number: '2001', transferred_by_uri: 'sip:2001@pbx.example.com' });
    expect(byId.get('via-formula')).toMatchObject({ transferred_by_name: `'=cmd|"/c calc"!A1`, transferred_by_number: "'-2001", transferred_by_uri: '' });
    expect(byId.get('plain')).toMatchObject({ transferred_by_name: '', transferred_by_number: '', transferred_by_uri: '' });

    // A search by the transferrer's name exports that call.
    const searched = await repo.exportCsv({ query: 'Berg' });
    expect(parseCsv(readFileSync(searched.path, 'utf8')).slice(1).map((r) => r[1])).toEqual(['via-anna']);
  });

  it('exports only the filtered range, or only a search', async () => {
    for (let i = 0; i < 10; i++) {
      recordCall(repo, { callId: `c${i}`, at: T0 + i * 1000, number: `+120255501${String(i).padStart(2, '0')}`, direction: i % 2 ? 'outgoing' : 'incoming' });
    }
    const ranged = await repo.exportCsv({ filter: { direction: 'outgoing', from: T0 + 2_000, to: T0 + 8_000 } });
    expect(parseCsv(readFileSync(ranged.path, 'utf8')).slice(1).map((r) => r[1])).toEqual(['c7', 'c5', 'c3']);
    const searched = await repo.exportCsv({ query: '(202) 555-0104' });
    expect(searched.rows).toBe(1);
    expect(parseCsv(readFileSync(searched.path, 'utf8'))[1]![1]).toBe('c4');
    expect(searched.path).not.toBe(ranged.path); // same millisecond, distinct files
  });

  it('streams thousands of rows through backpressure waits and keeps every one', async () => {
    for (let i = 0; i < 5_000; i++) recordCall(repo, { callId: `c${i}`, at: T0 + i, number: `+1202${String(i).padStart(7, '0')}`, name: 'x'.repeat(100) });
    const { path, rows } = await repo.exportCsv();
    expect(rows).toBe(5_000);
    const records = parseCsv(readFileSync(path, 'utf8'));
    expect(records).toHaveLength(5_001);
    expect(new Set(records.slice(1).map((r) => r[1])).size).toBe(5_000);
  });

  it('reports an unwritable export folder as a typed storage error', async () => {
    recordCall(repo, { callId: 'a', at: T0 });
    const blocked = new HistoryRepository(join(tmp.dir, 'history.sqlite3'), { exportDir: join(tmp.dir, 'history.sqlite3', 'exports') });
    try {
      await expect(blocked.exportCsv()).rejects.toMatchObject({ name: 'ConsoleError', code: 'storage' });
    } finally {
      blocked.close();
    }
  });

  it('refuses a bad filter or search with a typed error and leaves no file', async () => {
    await expect(repo.exportCsv({ query: '"' })).rejects.toMatchObject({ code: 'invalid-request' });
    await expect(repo.exportCsv({ filter: { from: 5, to: 1 } })).rejects.toMatchObject({ code: 'invalid-request' });
    expect(existsSync(join(tmp.dir, 'exports')) ? readdirSync(join(tmp.dir, 'exports')) : []).toEqual([]);
  });
});
