/**
 * The diagnostics export: the zip writer produces archives that open (read
 * back through their own central directory here, and tested by Info-ZIP's
 * `unzip -t` where it is installed), and the export holds the logs, settings,
 * versions, state and SIP trace with no secret left in any of them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diagnosticsEntries, writeDiagnostics } from '../../../main/desktop/diagnostics';
import { SipTrace, tracedSocket } from '../../../main/desktop/sip-trace';
import { zip } from '../../../main/desktop/zip';

/** Reads an archive back the way an unzip tool does: end record → central directory → each local entry. */
function readZip(archive: Buffer): Map<string, Buffer> {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBe(archive.length - 22);
  const count = archive.readUInt16LE(end + 10);
  const dirSize = archive.readUInt32LE(end + 12);
  let at = archive.readUInt32LE(end + 16);
  expect(at + dirSize).toBe(end);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(archive.readUInt32LE(at)).toBe(0x02014b50);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const size = archive.readUInt32LE(at + 20);
    const raw = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const offset = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    expect(archive.readUInt32LE(offset)).toBe(0x04034b50);
    const local = offset + 30 + archive.readUInt16LE(offset + 26) + archive.readUInt16LE(offset + 28);
    const body = archive.subarray(local, local + size);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    expect(data.length, name).toBe(raw);
    expect(crc32(data), name).toBe(crc);
    files.set(name, data);
    at += 46 + nameLength;
  }
  return files;
}

const hasUnzip = (() => {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'diagnostics-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('zip writer', () => {
  const entries = [
    { name: 'README.txt', data: 'hello\n' },
    { name: 'logs/console.log', data: 'line of log\n'.repeat(5000) },
    { name: 'données/ü.json', data: '{"a":1}' },
    { name: 'bin/random.dat', data: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)) },
    { name: 'empty.txt', data: '' },
  ];

  it('writes an archive whose central directory, sizes and CRCs read back to the same bytes', () => {
    const archive = zip(entries, new Date(2026, 0, 2, 3, 4, 6));
    const files = readZip(archive);
    expect([...files.keys()]).toEqual(entries.map((e) => e.name));
    for (const e of entries) expect(files.get(e.name)!.equals(Buffer.from(e.data))).toBe(true);
    // The repetitive log is deflated, far below its size.
    expect(archive.length).toBeLessThan(10_000);
  });

  it.runIf(hasUnzip)('passes `unzip -t` (Info-ZIP) and lists its names', () => {
    const path = join(dir, 'test.zip');
    writeFileSync(path, zip(entries));
    const tested = execFileSync('unzip', ['-t', path], { encoding: 'utf8' });
    expect(tested).toMatch(/No errors detected/);
    const listed = execFileSync('unzip', ['-Z1', path], { encoding: 'utf8' }).trim().split('\n');
    // Info-ZIP 6 shows a UTF-8 name in its own code page; the names the export uses are ASCII.
    expect(listed).toHaveLength(entries.length);
    expect(listed).toEqual(expect.arrayContaining(entries.map((e) => e.name).filter((n) => /^[\x20-\x7e]+$/.test(n))));
  });

  it.each(['../evil', '/abs', 'a//b', 'a\\b', ''])('refuses the unsafe name %j', (name) => {
    expect(() => zip([{ name, data: 'x' }])).toThrow(/not a safe name/);
  });

  it('refuses the same name twice', () => {
    expect(() => zip([{ name: 'a', data: '1' }, { name: 'a', data: '2' }])).toThrow(/two zip entries/);
  });
});

describe('diagnostics export', () => {
  const secrets = ['hunter2', 's3cr3t-token', 'deadbeefcafe', 'AKIA-ACCESS-KEY', 'digestresponse0123'];

  function sources() {
    const logDir = join(dir, 'logs');
    execFileSync('mkdir', ['-p', logDir]);
    writeFileSync(
      join(logDir, 'console.log'),
      [
        '[info] sip: line registered',
        '[debug] REGISTER sip:pbx SIP/2.0\r\nAuthorization: Digest username="1001", nonce="abc", response="digestresponse0123"',
        '[warn] provider login {"password":"hunter2","username":"ada"}',
        '[info] GET https://api.voipbin.net/v1.0/agents?token=s3cr3t-token',
      ].join('\n'),
    );
    writeFileSync(join(logDir, 'console.old.log'), '[info] older run wss://ada:deadbeefcafe@pbx.example.com/ws\n');
    const trace = new SipTrace(10, () => 1_800_000_000_000);
    trace.add('sent', 'REGISTER sip:pbx SIP/2.0\r\nProxy-Authorization: Digest response="digestresponse0123", cnonce="x"\r\n\r\n');
    trace.add('received', 'SIP/2.0 200 OK\r\n\r\n');
    return {
      logDir,
      settings: () => ({
        account: { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', hasPassword: true, password: 'hunter2' },
        provider: { kind: 'voipbin', accessKey: 'AKIA-ACCESS-KEY', hasSecret: true },
      }),
      versions: { app: '0.1.0', electron: '45.5.0', node: '22.0.0' },
      sipTrace: () => trace.text(),
      state: () => ({ line: { state: 'registered' }, agent: { status: 'away' } }),
      now: () => 1_800_000_000_000,
    };
  }

  it('collects logs, settings, versions, state and the SIP trace, every secret redacted', async () => {
    const entries = await diagnosticsEntries(sources());
    expect(entries.map((e) => e.name)).toEqual(['README.txt', 'versions.json', 'settings.json', 'state.json', 'logs/console.log', 'logs/console.old.log', 'sip-trace.txt']);
    const all = entries.map((e) => String(e.data)).join('\n');
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).toContain('[redacted]');
    expect(all).toContain('sip: line registered');
    expect(all).toContain('"hasPassword": true');
    expect(String(entries.find((e) => e.name === 'sip-trace.txt')!.data)).toMatch(/sent ▶\nREGISTER sip:pbx SIP\/2\.0\nProxy-Authorization: Digest \[redacted\]/);
  });

  it('writes a zip that opens, owner-readable only, and says where', async () => {
    const written = await writeDiagnostics(join(dir, 'out'), sources());
    expect(written.path).toMatch(/out\/agent-console-diagnostics-2027-01-15T08-00-00-000Z\.zip$/);
    const archive = readFileSync(written.path);
    expect(written.bytes).toBe(archive.length);
    const files = readZip(archive);
    expect([...files.keys()]).toEqual(written.entries);
    const text = [...files.values()].map((b) => b.toString('utf8')).join('\n');
    for (const secret of secrets) expect(text).not.toContain(secret);
    if (process.platform !== 'win32') expect(statSync(written.path).mode & 0o777).toBe(0o600);
    // The same second twice never overwrites an export.
    await expect(writeDiagnostics(join(dir, 'out'), sources())).rejects.toThrow(/EEXIST/);
  });

  it('keeps only the end of a huge log, and works without logs or trace', async () => {
    const s = sources();
    writeFileSync(join(s.logDir, 'console.log'), `${'old line\n'.repeat(600_000)}the latest line\n`);
    const entries = await diagnosticsEntries(s);
    const log = String(entries.find((e) => e.name === 'logs/console.log')!.data);
    expect(log).toMatch(/^\[… the first \d+ bytes are left out\]/);
    expect(log.endsWith('the latest line\n')).toBe(true);
    expect(log.length).toBeLessThan(4.1 * 1024 * 1024);
    const bare = await diagnosticsEntries({ logDir: join(dir, 'nowhere'), settings: () => ({}), versions: {}, now: () => 0 });
    expect(bare.map((e) => e.name)).toEqual(['README.txt', 'versions.json', 'settings.json']);
  });
});

describe('SIP trace', () => {
  it('keeps the last messages, each bounded', () => {
    const trace = new SipTrace(3, () => 0);
    for (let i = 0; i < 5; i++) trace.add('sent', `m${i}`);
    trace.add('received', Buffer.from('x'.repeat(40_000)));
    const entries = trace.entries();
    expect(entries.map((e) => e.text.slice(0, 2))).toEqual(['m3', 'm4', 'xx']);
    expect(entries[2]!.text).toMatch(/\[… cut at 16384 characters\]$/);
  });

  it('the traced socket copies what JsSIP receives and what it sends', () => {
    const trace = new SipTrace(10, () => 0);
    const socket = tracedSocket(trace)({ wsUrl: 'ws://127.0.0.1:1/ws', sipUri: 'sip:1001@pbx', password: null, acceptSelfSigned: false });
    const received: unknown[] = [];
    socket.ondata = (data) => received.push(data);
    (socket as unknown as { ondata(d: unknown): void }).ondata('SIP/2.0 200 OK');
    expect(received).toEqual(['SIP/2.0 200 OK']);
    expect(socket.send('OPTIONS sip:x SIP/2.0')).toBe(false); // not connected: nothing went out, nothing traced
    expect(trace.entries()).toEqual([{ at: 0, direction: 'received', text: 'SIP/2.0 200 OK' }]);
    expect(socket.url).toBe('ws://127.0.0.1:1/ws');
  });
});
