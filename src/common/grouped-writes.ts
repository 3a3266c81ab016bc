/** What `GroupedWrites` needs to know of a failed group. */
export interface GroupedWritesOptions {
  /** Groups written at once; an item that arrives while all are busy joins the next group. */
  readonly maxInFlight: number;
  /** Items in one group at most. */
  readonly maxGroupSize: number;
  /**
   * Whether a failure of a group of several may be caused by one of its items alone (bad data),
   * so the group is written again in halves until only that one fails. Otherwise every item of the
   * group fails with it (the database is down, say: writing each alone would only add load).
   */
  readonly mayBeOneItems: (error: unknown) => boolean;
}

/** An item whose `notAfter` had passed when its group formed; it was never written. */
export class WaitedTooLongError extends Error {
  constructor() {
    super('the write waited for a free slot past its deadline and was not started');
    this.name = 'WaitedTooLongError';
  }
}

interface Waiting<T, R> {
  readonly item: T;
  readonly notAfter: number;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: items handed in while `maxInFlight` writes are already running are written
 * together in the next one, so under load many items share a round trip and a commit, and an
 * item that arrives when a slot is free is written at once (no waiting for company). Each caller
 * is answered only when the write that holds its item has finished (ADR 0021).
 */
export class GroupedWrites<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  private inFlight = 0;

  /** `write` must answer one result per item, in the items' order. */
  constructor(
    private readonly write: (items: readonly T[]) => Promise<readonly R[]>,
    private readonly options: GroupedWritesOptions,
  ) {}

  /**
   * Writes `item` with the next group. With `notAfter` (epoch ms), an item still waiting then is
   * answered WaitedTooLongError instead of being written: a stalled database must not gather an
   * endless queue of writes whose callers have given up.
   */
  add(item: T, { notAfter = Infinity }: { notAfter?: number } = {}): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, notAfter, resolve, reject });
      this.startWrites();
    });
  }

  private startWrites(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const now = Date.now();
      const group = this.waiting.splice(0, this.options.maxGroupSize).filter((waiting) => {
        if (waiting.notAfter >= now) return true;
        waiting.reject(new WaitedTooLongError());
        return false;
      });
      if (group.length === 0) continue;
      this.inFlight++;
      void this.written(group).finally(() => {
        this.inFlight--;
        this.startWrites();
      });
    }
  }

  private async written(group: readonly Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.write(group.map(({ item }) => item));
      group.forEach((waiting, index) => waiting.resolve(results[index] as R));
    } catch (error) {
      if (group.length > 1 && this.options.mayBeOneItems(error)) {
        // Halves, again and again: one bad item among n costs about 2·log2(n) writes, not n.
        const half = Math.ceil(group.length / 2);
        await Promise.all([this.written(group.slice(0, half)), this.written(group.slice(half))]);
        return;
      }
      for (const waiting of group) waiting.reject(error);
    }
  }
}
