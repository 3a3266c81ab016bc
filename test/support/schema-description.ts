import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDMMF } from '@prisma/get-dmmf';
import { PROJECT_ROOT } from '../../src/paths.js';
import type { TestDatabase } from './test-database.js';

/**
 * A schema reduced to what must agree between schema.prisma and the migrated database: tables,
 * columns (type, nullability, whether the database fills a default), indexes (primary, unique,
 * plain, with their column order), foreign keys and enum types.
 */
export interface SchemaDescription {
  tables: Record<string, { columns: Record<string, string>; indexes: string[]; foreignKeys: string[] }>;
  enums: Record<string, string[]>;
}

/** Defaults Prisma fills in the client rather than the database, so no column default is expected. */
const CLIENT_SIDE_DEFAULTS = new Set(['uuid', 'cuid', 'nanoid', 'ulid']);

type DmmfDocument = Exclude<ReturnType<typeof getDMMF>, { type: string }>;
type DmmfModel = DmmfDocument['datamodel']['models'][number];
type DmmfField = DmmfModel['fields'][number];

/** Schemas the service's migrations create tables and types in. */
export const SERVICE_SCHEMAS = ['public', 'ghl_sync'] as const;

/**
 * `schema.name` as `format_type()` prints a type: bare when its schema is on the search path
 * (`public`), qualified otherwise; tables are always keyed `schema.table`.
 */
const typeName = (schema: string, name: string) => (schema === 'public' ? name : `${schema}.${name}`);

export function describePrismaSchema(): SchemaDescription {
  const datamodel = readFileSync(join(PROJECT_ROOT, 'prisma/schema.prisma'), 'utf8');
  const dmmf = getDMMF({ datamodel });
  if ('type' in dmmf) throw dmmf.error;
  const { models, enums, indexes } = dmmf.datamodel;
  // The DMMF names a model's schema but not an enum's: read the enum's @@schema from the file.
  const enumSchema = new Map(
    [...datamodel.matchAll(/^enum (\w+) \{[^}]*@@schema\("(\w+)"\)/gm)].map(([, name, schema]) => [name!, schema!]),
  );
  const enumDbName = new Map(
    enums.map((item) => [item.name, typeName(enumSchema.get(item.name) ?? 'public', item.dbName ?? item.name)]),
  );
  const tableOf = new Map(
    models.map((model) => [model.name, `${model.schema ?? 'public'}.${model.dbName ?? model.name}`]),
  );
  const columnOf = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((candidate) => candidate.name === fieldName)!;
    return field.dbName ?? field.name;
  };

  const tables: SchemaDescription['tables'] = {};
  for (const model of models) {
    const columns: Record<string, string> = {};
    for (const field of model.fields.filter((candidate) => candidate.kind !== 'object')) {
      columns[field.dbName ?? field.name] = describeColumn(
        postgresTypeOf(field, enumDbName),
        field.isRequired,
        hasDatabaseDefault(field),
      );
    }
    const modelIndexes = indexes
      .filter((index) => index.model === model.name && index.type !== 'fulltext')
      .map(
        (index) =>
          `${index.type === 'id' ? 'primary' : index.type}(${index.fields.map((field) => columnOf(model, field.name)).join(',')})`,
      );
    const foreignKeys = model.fields
      .filter((field) => field.kind === 'object' && (field.relationFromFields?.length ?? 0) > 0)
      .map((field) => {
        const target = models.find((candidate) => candidate.name === field.type)!;
        const from = field.relationFromFields!.map((name) => columnOf(model, name)).join(',');
        const to = field.relationToFields!.map((name) => columnOf(target, name)).join(',');
        return `(${from}) -> ${tableOf.get(field.type)}(${to})`;
      });
    tables[tableOf.get(model.name)!] = { columns, indexes: modelIndexes.sort(), foreignKeys: foreignKeys.sort() };
  }
  return {
    tables,
    enums: Object.fromEntries(
      enums.map((item) => [enumDbName.get(item.name)!, item.values.map((value) => value.dbName ?? value.name)]),
    ),
  };
}

export async function describeDatabaseSchema(
  database: TestDatabase,
  schemas: readonly string[] = SERVICE_SCHEMAS,
): Promise<SchemaDescription> {
  const columns = await database.query<{
    table_name: string;
    column_name: string;
    type: string;
    not_null: boolean;
    has_default: boolean;
  }>(
    `SELECT n.nspname || '.' || c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, a.atthasdef AS has_default
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1) AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_prisma_migrations'
      ORDER BY c.relname, a.attnum`,
    [schemas],
  );
  const indexes = await database.query<{ table_name: string; kind: string; columns: string[] }>(
    `SELECT n.nspname || '.' || t.relname AS table_name,
            CASE WHEN i.indisprimary THEN 'primary' WHEN i.indisunique THEN 'unique' ELSE 'normal' END AS kind,
            array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, position)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.position)::text[] AS columns
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = ANY($1) AND t.relname <> '_prisma_migrations'`,
    [schemas],
  );
  const foreignKeys = await database.query<{
    table_name: string;
    columns: string[];
    target: string;
    target_columns: string[];
  }>(
    `SELECT n.nspname || '.' || t.relname AS table_name, rn.nspname || '.' || r.relname AS target,
            array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, position)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.position)::text[] AS columns,
            array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, position)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.position)::text[] AS target_columns
       FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class r ON r.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_namespace rn ON rn.oid = r.relnamespace
      WHERE con.contype = 'f' AND n.nspname = ANY($1)`,
    [schemas],
  );
  const enumValues = await database.query<{ name: string; value: string }>(
    `SELECT CASE WHEN n.nspname = 'public' THEN t.typname ELSE n.nspname || '.' || t.typname END AS name, e.enumlabel AS value
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = ANY($1) ORDER BY t.typname, e.enumsortorder`,
    [schemas],
  );

  const tables: SchemaDescription['tables'] = {};
  const tableEntry = (name: string) => (tables[name] ??= { columns: {}, indexes: [], foreignKeys: [] });
  for (const column of columns) {
    tableEntry(column.table_name).columns[column.column_name] = describeColumn(
      column.type,
      column.not_null,
      column.has_default,
    );
  }
  for (const index of indexes) tableEntry(index.table_name).indexes.push(`${index.kind}(${index.columns.join(',')})`);
  for (const key of foreignKeys) {
    tableEntry(key.table_name).foreignKeys.push(
      `(${key.columns.join(',')}) -> ${key.target}(${key.target_columns.join(',')})`,
    );
  }
  for (const table of Object.values(tables)) {
    table.indexes.sort();
    table.foreignKeys.sort();
  }
  const enums: SchemaDescription['enums'] = {};
  for (const { name, value } of enumValues) (enums[name] ??= []).push(value);
  return { tables, enums };
}

function describeColumn(type: string, required: boolean, databaseDefault: boolean): string {
  return `${type} ${required ? 'NOT NULL' : 'NULL'}${databaseDefault ? ' DEFAULT' : ''}`;
}

function hasDatabaseDefault(field: DmmfField): boolean {
  const value = field.default as { name?: string } | undefined;
  if (value === undefined) return false;
  return !(typeof value === 'object' && value !== null && 'name' in value && CLIENT_SIDE_DEFAULTS.has(value.name!));
}

/** Prisma's PostgreSQL type mapping, written the way `format_type()` prints types. */
function postgresTypeOf(field: DmmfField, enumDbName: ReadonlyMap<string, string>): string {
  const base = field.kind === 'enum' ? enumDbName.get(field.type)! : scalarType(field);
  return field.isList ? `${base}[]` : base;
}

function scalarType(field: DmmfField): string {
  const [native, args = []] = (field.nativeType as [string, string[]] | null) ?? [];
  const withArgs = (name: string) => (args.length > 0 ? `${name}(${args.join(',')})` : name);
  if (native) {
    const natives: Record<string, () => string> = {
      Text: () => 'text',
      Uuid: () => 'uuid',
      VarChar: () => withArgs('character varying'),
      Char: () => withArgs('character'),
      Integer: () => 'integer',
      SmallInt: () => 'smallint',
      BigInt: () => 'bigint',
      DoublePrecision: () => 'double precision',
      Real: () => 'real',
      Decimal: () => withArgs('numeric'),
      Timestamptz: () => `timestamp(${args[0] ?? 6}) with time zone`,
      Timestamp: () => `timestamp(${args[0] ?? 6}) without time zone`,
      Date: () => 'date',
      JsonB: () => 'jsonb',
      Json: () => 'json',
      Citext: () => 'citext',
      Inet: () => 'inet',
    };
    const mapped = natives[native];
    if (!mapped) throw new Error(`schema-description does not know native type @db.${native} yet; add it`);
    return mapped();
  }
  const defaults: Record<string, string> = {
    String: 'text',
    Int: 'integer',
    BigInt: 'bigint',
    Float: 'double precision',
    Decimal: 'numeric(65,30)',
    Boolean: 'boolean',
    DateTime: 'timestamp(3) without time zone',
    Json: 'jsonb',
    Bytes: 'bytea',
  };
  const mapped = defaults[field.type];
  if (!mapped) throw new Error(`schema-description does not know Prisma type ${field.type} yet; add it`);
  return mapped;
}
