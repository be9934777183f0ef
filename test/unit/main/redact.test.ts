import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redactText } from '../../../main/logging/redact';

describe('log redaction', () => {
  it('removes SIP digest credentials from Authorization and Proxy-Authorization headers', () => {
    const register = [
      'REGISTER sip:pbx.example.com SIP/2.0',
      'Authorization: Digest username="1001", realm="pbx", nonce="abc123", uri="sip:pbx.example.com", response="6629fae49393a05397450978507c4ef1"',
      'Proxy-Authorization: Digest username="1001", response="deadbeef"',
      'Content-Length: 0',
    ].join('\r\n');
    const out = redactText(register);
    expect(out).not.toContain('6629fae49393a05397450978507c4ef1');
    expect(out).not.toContain('deadbeef');
    expect(out).not.toContain('abc123');
    expect(out).toContain(`Authorization: Digest ${REDACTED}`);
    expect(out).toContain(`Proxy-Authorization: Digest ${REDACTED}`);
    expect(out).toContain('Content-Length: 0');
  });

  it('removes bearer tokens and inline passwords', () => {
    expect(redactText('authorization: Bearer eyJhbGciOi.x.y')).toBe(`authorization: Bearer ${REDACTED}`);
    expect(redactText('password=hunter2&user=1001')).toBe(`password=${REDACTED}&user=1001`);
    expect(redactText('{"password":"hunter2","user":"1001"}')).toBe(`{"password":${REDACTED},"user":"1001"}`);
    expect(redactText('wss://1001:hunter2@pbx.example.com/ws')).toBe(`wss://1001:${REDACTED}@pbx.example.com/ws`);
  });

  it('removes a platform token or access key from URLs and structured data (VoIPBIN sends them as query parameters)', () => {
    expect(redactText('wss://api.voipbin.example/v1.0/ws?token=eyJhbGciOi.x.y')).toBe(`wss://api.voipbin.example/v1.0/ws?token=${REDACTED}`);
    expect(redactText('GET https://api.voipbin.example/v1.0/queues?accesskey=k-123&page_size=100')).toBe(
      `GET https://api.voipbin.example/v1.0/queues?accesskey=${REDACTED}&page_size=100`,
    );
    expect(redact({ accessKey: 'k-123', access_key: 'k-456' })).toEqual({ accessKey: REDACTED, access_key: REDACTED });
  });

  it('redacts secret keys in structured data, deeply, and survives cycles', () => {
    const data: Record<string, unknown> = { account: { sipUri: 'sip:1001@pbx', password: 'hunter2', passwordSealed: 'AAAA' }, headers: { Authorization: 'Basic dXNlcjpwYXNz' } };
    data['self'] = data;
    const out = redact(data) as Record<string, Record<string, unknown>>;
    expect(out['account']).toEqual({ sipUri: 'sip:1001@pbx', password: REDACTED, passwordSealed: REDACTED });
    expect(out['headers']).toEqual({ Authorization: REDACTED });
    expect(out['self']).toBe('[circular]');
    expect(JSON.stringify(out)).not.toContain('hunter2');
  });
});
