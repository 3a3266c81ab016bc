import { describe, expect, it } from 'vitest';
import { requestPath } from './request-path.js';

describe('requestPath', () => {
  it.each([
    ['/graphql', '/graphql'],
    ['/graphql?query=%7B%20a%20%7D', '/graphql'],
    ['/webhooks/ghl?api_key=secret&email=someone@example.com', '/webhooks/ghl'],
    ['/health/live?', '/health/live'],
    ['/a/b#fragment?x=1', '/a/b'],
    ['/a;jsessionid=1', '/a;jsessionid=1'],
    ['?api_key=secret', ''],
    ['http://example.com/x?token=1', 'http://example.com/x'],
    ['', ''],
    [undefined, ''],
  ])('%j -> %j', (target, path) => {
    expect(requestPath(target)).toBe(path);
  });
});
