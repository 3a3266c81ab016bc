import { describe, expect, it } from 'vitest';
import { cliErrorLine } from './run-cli.js';

function failure(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('cliErrorLine', () => {
  it.each([
    ['Postgres', '42P01'],
    ['Prisma', 'P2021'],
  ])('adds what to do when a table is missing (%s names it %s)', (_, code) => {
    expect(cliErrorLine(failure('\nThe table `ghl_sync.sync_dead_letters` does not exist.\n', code))).toBe(
      'ERROR: The table `ghl_sync.sync_dead_letters` does not exist.\n' +
        'the database has no sync tables yet: run `npm run db:migrate` (or `npm start`, which migrates) against it first\n',
    );
  });

  it('prints any other error as its code and message alone', () => {
    expect(cliErrorLine(failure('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'))).toBe(
      'ERROR: connect ECONNREFUSED 127.0.0.1:1\n',
    );
    expect(cliErrorLine(failure('needs a reason'), 'REASON_REQUIRED')).toBe('REASON_REQUIRED: needs a reason\n');
    expect(cliErrorLine('thrown as a string')).toBe('ERROR: thrown as a string\n');
  });
});
