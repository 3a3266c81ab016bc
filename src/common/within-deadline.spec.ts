import { describe, expect, it } from 'vitest';
import { DeadlineExceededError, withinDeadline } from './within-deadline.js';

describe('withinDeadline', () => {
  const settlesAfter = <T>(ms: number, outcome: () => T) =>
    new Promise<void>((resolve) => setTimeout(resolve, ms)).then(outcome);

  it('settles with work that finishes in time, value or error', async () => {
    await expect(
      withinDeadline(
        settlesAfter(1, () => 'stored'),
        1_000,
        'storing',
      ),
    ).resolves.toBe('stored');
    const failing = settlesAfter(1, () => {
      throw new Error('refused');
    });
    await expect(withinDeadline(failing, 1_000, 'storing')).rejects.toThrow('refused');
  });

  it('rejects at the deadline, naming the work, while the work goes on', async () => {
    let finished = false;
    const slow = settlesAfter(60, () => (finished = true));
    const error = await withinDeadline(slow, 10, 'storing the delivery').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toBe('storing the delivery did not finish within 10 ms');
    expect(finished).toBe(false);
    await slow;
    expect(finished).toBe(true);
  });

  it('swallows the late failure of work nobody waits for any more (no unhandled rejection)', async () => {
    const late = settlesAfter(30, () => {
      throw new Error('late');
    });
    await expect(withinDeadline(late, 5, 'storing')).rejects.toBeInstanceOf(DeadlineExceededError);
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});
