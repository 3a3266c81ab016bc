import { describe, expect, it } from 'vitest';
import { ApiKeyVerifier } from './api-key.verifier.js';

describe('ApiKeyVerifier', () => {
  const verifier = new ApiKeyVerifier(['first-key-0123456789', 'second-key-0123456789']);

  it.each(['Bearer first-key-0123456789', 'bearer second-key-0123456789', 'Bearer   first-key-0123456789 '])(
    'accepts %j',
    (header) => expect(verifier.isAuthorized(header)).toBe(true),
  );

  it.each([
    undefined,
    '',
    'first-key-0123456789',
    'Basic first-key-0123456789',
    'Bearer first-key-012345678',
    'Bearer first-key-0123456789x',
    'Bearer first-key-0123456789 extra',
  ])('refuses %j', (header) => expect(verifier.isAuthorized(header)).toBe(false));

  it('refuses to exist without keys, so the API cannot be left open', () => {
    expect(() => new ApiKeyVerifier([])).toThrow(/at least one key/);
  });
});
