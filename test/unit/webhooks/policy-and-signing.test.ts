import { describe, expect, it } from 'vitest';
import { checkReplyUrl, isInternalAddress, retryDelay, signPayload, verifySignature } from '../../../src/webhooks/index.ts';

describe('replyUrl policy', () => {
  it.each(['http://127.0.0.1/h', 'http://localhost:8080/h', 'http://10.1.2.3/h', 'http://192.168.0.10/h', 'http://172.20.0.1/h', 'http://169.254.169.254/latest', 'http://[::1]/h', 'http://[fd00::1]/h', 'http://[::ffff:10.0.0.1]/h', 'http://0.0.0.0/'])(
    'refuses the internal target %s by default',
    (url) => {
      expect(checkReplyUrl(url, false)).toMatch(/loopback or private/);
      expect(checkReplyUrl(url, true)).toBeUndefined();
    },
  );

  it('accepts public http(s) targets', () => {
    expect(checkReplyUrl('https://hooks.example.com/switchboard?key=1', false)).toBeUndefined();
    expect(checkReplyUrl('http://93.184.216.34/h', false)).toBeUndefined();
  });

  it('refuses other schemes, credentials, junk and URLs over 1024 characters', () => {
    expect(checkReplyUrl('ftp://example.com/x', false)).toBe('replyUrl must use http or https');
    expect(checkReplyUrl('https://user:pw@example.com/', false)).toBe('replyUrl must not contain credentials');
    expect(checkReplyUrl('not a url', false)).toMatch(/is not a valid URL/);
    expect(checkReplyUrl(`https://example.com/${'x'.repeat(1024)}`, false)).toBe('replyUrl is too long');
  });

  it('classifies addresses', () => {
    expect(isInternalAddress('8.8.8.8')).toBe(false);
    expect(isInternalAddress('2606:4700::1111')).toBe(false);
    expect(isInternalAddress('127.0.0.53')).toBe(true);
    expect(isInternalAddress('garbage')).toBe(true);
  });
});

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"jobid":"job:1","status":"completed"}';

  it('verifies a signature made with the same secret, body and a fresh timestamp', () => {
    const header = signPayload(secret, body, 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, body, header, 1_700_000_010)).toBe(true);
  });

  it('rejects a changed body, another secret, a stale timestamp or a missing header', () => {
    const header = signPayload(secret, body, 1_700_000_000);
    expect(verifySignature(secret, body.replace('completed', 'failed'), header, 1_700_000_000)).toBe(false);
    expect(verifySignature('whsec_other', body, header, 1_700_000_000)).toBe(false);
    expect(verifySignature(secret, body, header, 1_700_001_000)).toBe(false);
    expect(verifySignature(secret, body, undefined, 1_700_000_000)).toBe(false);
  });
});

describe('retry delays', () => {
  it('double from the base, stay within ±20%, and stop growing at the cap', () => {
    const policy = { baseDelayMs: 1000, maxDelayMs: 10_000, maxAttempts: 10 };
    expect(retryDelay(policy, 1, () => 0.5)).toBe(1000);
    expect(retryDelay(policy, 3, () => 0.5)).toBe(4000);
    expect(retryDelay(policy, 3, () => 0)).toBe(3200);
    expect(retryDelay(policy, 3, () => 1)).toBe(4800);
    expect(retryDelay(policy, 9, () => 0.5)).toBe(10_000);
  });
});
