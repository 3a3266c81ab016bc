import type { TestDatabase } from './test-database.js';

/**
 * Makes the contact sync fail for real, in Postgres: a trigger on `contacts` raises for a given GHL
 * contact id until it has fired `times` times. The count lives in a sequence, which a rolled-back
 * transaction does not roll back.
 */
export async function installContactFailures(database: TestDatabase): Promise<void> {
  await database.query(`
    CREATE TABLE test_contact_failures (ghl_contact_id text PRIMARY KEY, sequence_name text NOT NULL, times int NOT NULL);
    CREATE FUNCTION test_fail_contact() RETURNS trigger AS $$
    DECLARE planned test_contact_failures;
    BEGIN
      SELECT * INTO planned FROM test_contact_failures WHERE ghl_contact_id = NEW.ghl_contact_id;
      IF FOUND AND nextval(planned.sequence_name) <= planned.times THEN
        RAISE EXCEPTION 'injected failure for contact %', NEW.ghl_contact_id;
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql;
    CREATE TRIGGER test_fail_contact BEFORE INSERT OR UPDATE ON contacts
      FOR EACH ROW EXECUTE FUNCTION test_fail_contact();`);
}

/** The next `times` writes of this GHL contact fail. */
export async function failContactWrites(database: TestDatabase, ghlContactId: string, times: number): Promise<void> {
  const sequence = `test_fail_${ghlContactId.replace(/\W/g, '_').toLowerCase()}`;
  await database.query(`CREATE SEQUENCE ${sequence}`);
  await database.query('INSERT INTO test_contact_failures VALUES ($1, $2, $3)', [ghlContactId, sequence, times]);
}
