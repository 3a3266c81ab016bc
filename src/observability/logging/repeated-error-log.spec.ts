import { describe, expect, it } from 'vitest';
import { RepeatedErrorLog } from './repeated-error-log.js';

class RecordingLogger {
  readonly lines: { context: object; message: string }[] = [];
  error(context: object, message: string): void {
    this.lines.push({ context, message });
  }
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('RepeatedErrorLog', () => {
  it('logs an error once per window and code, then says how many repeats it folded', () => {
    const logger = new RecordingLogger();
    const log = new RepeatedErrorLog(logger as never, 'pg-boss error', 50);
    for (let poll = 0; poll < 5; poll++) log.report(refused());
    log.report(new Error('relation "pgboss.job" does not exist'));
    expect(logger.lines).toEqual([
      { message: 'pg-boss error', context: { code: 'ECONNREFUSED', reason: 'connect ECONNREFUSED 127.0.0.1:5432' } },
      { message: 'pg-boss error', context: { reason: 'relation "pgboss.job" does not exist' } },
    ]);
  });

  it('logs again after the window, with the count of the lines it folded', async () => {
    const logger = new RecordingLogger();
    const log = new RepeatedErrorLog(logger as never, 'pg-boss error', 20);
    log.report(refused());
    log.report(refused());
    log.report(refused());
    await new Promise((resolve) => setTimeout(resolve, 30));
    log.report(refused(), { queue: 'sync.inbound-events' });
    expect(logger.lines.map((line) => line.context)).toEqual([
      { code: 'ECONNREFUSED', reason: 'connect ECONNREFUSED 127.0.0.1:5432' },
      {
        queue: 'sync.inbound-events',
        code: 'ECONNREFUSED',
        reason: 'connect ECONNREFUSED 127.0.0.1:5432',
        foldedSinceLastLine: 2,
      },
    ]);
  });

  it('never logs the error object itself (a pg client error can carry the client)', () => {
    const logger = new RecordingLogger();
    const error = Object.assign(new Error('Connection terminated unexpectedly'), { client: { password: 'secret' } });
    new RepeatedErrorLog(logger as never, 'lost').report(error);
    expect(JSON.stringify(logger.lines)).not.toContain('secret');
  });
});
