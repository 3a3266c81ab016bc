import { describe, expect, it } from 'vitest';
import { describeOutboundDeletes, parseOutboundDeletes } from './outbound-deletes.js';

describe('parseOutboundDeletes', () => {
  it.each([
    [undefined, { kind: 'ignore' }],
    ['ignore', { kind: 'ignore' }],
    [' delete ', { kind: 'delete' }],
    ['tag:trainu-deleted', { kind: 'tag', tag: 'trainu-deleted' }],
    ['tag:  Left  TrainU ', { kind: 'tag', tag: 'left trainu' }],
  ])('reads %j', (text, expected) => {
    expect(parseOutboundDeletes(text)).toEqual(expected);
  });

  it.each([
    ['remove', 'OUTBOUND_DELETES must be ignore, delete or tag:<name> (got "remove")'],
    ['tag:', 'OUTBOUND_DELETES="tag:": tag: needs a tag name, such as tag:trainu-deleted'],
    ['tag:   ', 'OUTBOUND_DELETES="tag:": tag: needs a tag name, such as tag:trainu-deleted'],
  ])('refuses %j, naming the variable', (text, problem) => {
    expect(parseOutboundDeletes(text)).toBe(problem);
  });

  it('describes a setting as it would be written', () => {
    expect(describeOutboundDeletes({ kind: 'tag', tag: 'gone' })).toBe('OUTBOUND_DELETES=tag:gone');
    expect(describeOutboundDeletes({ kind: 'delete' })).toBe('OUTBOUND_DELETES=delete');
  });
});
