/** `work` did not settle within its deadline; it may still be running (and may still succeed). */
export class DeadlineExceededError extends Error {
  constructor(what: string, deadlineMs: number) {
    super(`${what} did not finish within ${deadlineMs} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/**
 * Settles with `work`, or rejects with DeadlineExceededError after `deadlineMs`, whichever comes
 * first. The work is not cancelled: whoever starts it must bound what it holds meanwhile (a
 * statement timeout, for instance). Its late failure is swallowed here, as nobody waits for it.
 */
export async function withinDeadline<T>(work: Promise<T>, deadlineMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(what, deadlineMs)), deadlineMs);
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
