import { describe, expect, it } from 'vitest';
import { GroupedWrites, WaitedTooLongError } from './grouped-writes.js';

/** A write whose calls can be held open and released by the test, recording each group it got. */
function controlledWrite(fails: (items: readonly string[]) => Error | undefined = () => undefined) {
  const groups: string[][] = [];
  const open: (() => void)[] = [];
  const write = async (items: readonly string[]) => {
    groups.push([...items]);
    await new Promise<void>((resolve) => open.push(resolve));
    const failure = fails(items);
    if (failure) throw failure;
    return items.map((item) => `stored ${item}`);
  };
  const releaseAll = async () => {
    while (open.length > 0) {
      open.splice(0).forEach((release) => release());
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { write, groups, releaseAll };
}

const dataError = Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' });
const connectionError = Object.assign(new Error('Connection terminated'), { code: '57P01' });
const isDataError = (error: unknown) => (error as { code?: string }).code?.startsWith('22') ?? false;

describe('GroupedWrites', () => {
  it('writes at once while a slot is free, and groups what arrives while every slot is busy', async () => {
    const { write, groups, releaseAll } = controlledWrite();
    const writes = new GroupedWrites(write, { maxInFlight: 2, maxGroupSize: 3, mayBeOneItems: isDataError });
    const results = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((item) => writes.add(item));
    await releaseAll();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((i) => `stored ${i}`));
    // a and b take the two slots alone; c–e then f–g waited and went together, at most 3 each.
    expect(groups).toEqual([['a'], ['b'], ['c', 'd', 'e'], ['f', 'g']]);
  });

  it('answers nobody before the write holding its item has finished', async () => {
    const { write, releaseAll } = controlledWrite();
    const writes = new GroupedWrites(write, { maxInFlight: 1, maxGroupSize: 10, mayBeOneItems: isDataError });
    let answered = false;
    void writes.add('a').then(() => (answered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    await releaseAll();
    expect(answered).toBe(true);
  });

  it('writes a group again in halves after a data error, until only the bad item fails', async () => {
    const { write, groups, releaseAll } = controlledWrite((items) => (items.includes('bad') ? dataError : undefined));
    const writes = new GroupedWrites(write, { maxInFlight: 1, maxGroupSize: 10, mayBeOneItems: isDataError });
    const first = writes.add('first');
    const items = ['a', 'b', 'c', 'd', 'bad', 'e'];
    const grouped = items.map((item) => writes.add(item).catch((error: unknown) => error));
    await releaseAll();
    await expect(first).resolves.toBe('stored first');
    expect(await Promise.all(grouped)).toEqual(items.map((item) => (item === 'bad' ? dataError : `stored ${item}`)));
    expect(groups).toEqual([['first'], items, ['a', 'b', 'c'], ['d', 'bad', 'e'], ['d', 'bad'], ['e'], ['d'], ['bad']]);
  });

  it('fails every item of a group with any other error, writing none of them again', async () => {
    const { write, groups, releaseAll } = controlledWrite((items) => (items.length > 1 ? connectionError : undefined));
    const writes = new GroupedWrites(write, { maxInFlight: 1, maxGroupSize: 10, mayBeOneItems: isDataError });
    void writes.add('first');
    const grouped = ['x', 'y'].map((item) => writes.add(item).catch((error: unknown) => error));
    await releaseAll();
    expect(await Promise.all(grouped)).toEqual([connectionError, connectionError]);
    expect(groups).toEqual([['first'], ['x', 'y']]);
  });

  it('never starts an item that waited past its deadline for a slot, and still writes the others', async () => {
    const { write, groups, releaseAll } = controlledWrite();
    const writes = new GroupedWrites(write, { maxInFlight: 1, maxGroupSize: 10, mayBeOneItems: isDataError });
    void writes.add('slow');
    const late = writes.add('late', { notAfter: Date.now() + 5 }).catch((error: unknown) => error);
    const patient = writes.add('patient', { notAfter: Date.now() + 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await releaseAll();
    expect(await late).toBeInstanceOf(WaitedTooLongError);
    await expect(patient).resolves.toBe('stored patient');
    expect(groups).toEqual([['slow'], ['patient']]);
  });
});
