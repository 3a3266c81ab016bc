import { describe, expect, it } from 'vitest';
import { resolveCorrelationId } from './correlation-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('resolveCorrelationId', () => {
  it.each(['abc-123', 'req_1.2:3', 'A'.repeat(128)])('keeps the caller id %j', (id) => {
    expect(resolveCorrelationId(id)).toBe(id);
  });

  it('takes the first of repeated headers', () => {
    expect(resolveCorrelationId(['first', 'second'])).toBe('first');
  });

  it.each([undefined, '', 'has space', 'line\nbreak', '{"json":1}', 'A'.repeat(129)])(
    'replaces %j with a new UUID',
    (value) => {
      expect(resolveCorrelationId(value)).toMatch(UUID);
    },
  );
});
