import type { TestDatabase } from './test-database.js';

/**
 * Makes the contact sync fail for real, in Postgres: a trigger on `contacts` raises for a given GHL
 * contact id until it has fired `times` times, or (`drop-connection`) terminates the writing
 * session itself, as a server restart does to a connection in use. The count lives in a sequence,
 * which a rolled-back transaction does not roll back.
 */
export async function installContactFailures(database: TestDatabase): Promise<void> {
  await database.query(`
    CREATE TABLE test_contact_failures (
      ghl_contact_id text PRIMARY KEY, sequence_name text NOT NULL, times int NOT NULL, action text NOT NULL);
    CREATE FUNCTION test_fail_contact() RETURNS trigger AS $$
    DECLARE planned test_contact_failures;
    BEGIN
      SELECT * INTO planned FROM test_contact_failures WHERE ghl_contact_id = NEW.ghl_contact_id;
      IF FOUND AND nextval(planned.sequence_name) <= planned.times THEN
        IF planned.action = 'drop-connection' THEN
          PERFORM pg_terminate_backend(pg_backend_pid());
        END IF;
        RAISE EXCEPTION 'injected failure for contact %', NEW.ghl_contact_id;
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql;
    CREATE TRIGGER test_fail_contact BEFORE INSERT OR UPDATE ON contacts
      FOR EACH ROW EXECUTE FUNCTION test_fail_contact();`);
}

/** The next `times` writes of this GHL contact fail: with an error, or by losing their connection. */
export async function failContactWrites(
  database: TestDatabase,
  ghlContactId: string,
  times: number,
  action: 'raise' | 'drop-connection' = 'raise',
): Promise<void> {
  const sequence = `test_fail_${ghlContactId.replace(/\W/g, '_').toLowerCase()}`;
  await database.query(`CREATE SEQUENCE ${sequence}`);
  await database.query('INSERT INTO test_contact_failures VALUES ($1, $2, $3, $4)', [
    ghlContactId,
    sequence,
    times,
    action,
  ]);
}
