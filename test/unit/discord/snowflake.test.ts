import { describe, expect, it } from 'vitest';
import { compareSnowflakes, generateSnowflake, routeKey, snowflakeFromTimestamp, timestampFromSnowflake, tokenKey } from '../../../src/discord/index.ts';

describe('snowflakes', () => {
  it('encode the creation time with the Discord epoch', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(timestampFromSnowflake(generateSnowflake(now))).toBe(now);
    expect(timestampFromSnowflake(snowflakeFromTimestamp(now))).toBe(now);
  });

  it('are unique and increasing within the same millisecond', () => {
    const now = Date.now();
    const ids = Array.from({ length: 5000 }, () => generateSnowflake(now));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(compareSnowflakes(ids[i - 1]!, ids[i]!)).toBe(-1);
  });
});

describe('route keys and token keys', () => {
  it('keep channel and guild ids but fold other ids', () => {
    expect(routeKey('get', '/channels/123456789/messages/987654321')).toBe('GET /channels/123456789/messages/:id');
    expect(routeKey('POST', '/interactions')).toBe('POST /interactions');
    expect(routeKey('DELETE', '/attachments/uuid-1/face.png')).toBe('DELETE /attachments/:upload');
  });

  it('hash tokens so that the token itself never appears', () => {
    const key = tokenKey('secret-token-value');
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(key).not.toContain('secret');
    expect(tokenKey('secret-token-value')).toBe(key);
  });
});
