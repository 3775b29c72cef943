import { InvalidInputError } from '../errors/domain-errors.js';

/** One sortable field of a list: the SQL expression (never null) and how to read it from a row. */
export interface SortField<Row> {
  sql: string;
  value(row: Row): string | number;
}

export interface KeysetQuery<Row> {
  /** `SELECT ... FROM ... [JOIN ...]`, without WHERE. */
  select: string;
  /** `FROM ...` part for the count (joins needed by the filters only). */
  countFrom: string;
  /** Filter conditions (ANDed), with `$n` placeholders numbered into `params`. */
  where: string[];
  params: unknown[];
  sort: string;
  fields: Record<string, SortField<Row>>;
  /** The unique tie-breaker column, e.g. `v.id`, and how to read it. */
  id: SortField<Row>;
  limit: number;
  cursor?: string;
  /** The total another way (e.g. from maintained counts), answering `{ total }`; else count(*) over the filters. */
  count?: { text: string; params: unknown[] };
}

/** A cursor is the sort key of the last row seen, opaque to clients (base64url JSON). */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): [string | number, string | number] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (
    !Array.isArray(key) ||
    key.length !== 2 ||
    !key.every((part) => (typeof part === 'string' && part.length <= 256) || Number.isFinite(part))
  )
    throw new InvalidInputError('This cursor is not one this list gave out: start again without it', [
      { path: 'query.cursor', message: 'not a cursor of this list' },
    ]);
  return key as [string | number, string | number];
}

/**
 * Builds a keyset-paged query: `ORDER BY <field>, <id>` with `(field, id) > (cursor)` instead of
 * OFFSET, so page 1,000 costs what page 1 costs given an index on (field, id). Returns the page
 * query (limit + 1 rows, to know whether there is a next page) and the count query.
 */
export function keysetSql<Row>(query: KeysetQuery<Row>): {
  page: { text: string; params: unknown[] };
  count: { text: string; params: unknown[] };
  field: SortField<Row>;
} {
  const descending = query.sort.startsWith('-');
  const field = query.fields[descending ? query.sort.slice(1) : query.sort];
  if (!field) throw new InvalidInputError(`Cannot sort by ${query.sort}`);
  const filters = query.where.length ? `WHERE ${query.where.join(' AND ')}` : '';
  const count = query.count ?? { text: `SELECT count(*)::int AS total ${query.countFrom} ${filters}`, params: query.params };
  const params = [...query.params];
  const where = [...query.where];
  if (query.cursor) {
    const [value, id] = decodeCursor(query.cursor);
    where.push(`(${field.sql}, ${query.id.sql}) ${descending ? '<' : '>'} ($${params.push(value)}, $${params.push(id)})`);
  }
  const direction = descending ? 'DESC' : 'ASC';
  const text = `${query.select} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${field.sql} ${direction}, ${query.id.sql} ${direction} LIMIT ${query.limit + 1}`;
  return { page: { text, params }, count, field };
}

/** Cuts the extra row off and makes the next cursor from the last row kept. */
export function pageFrom<Row, Item>(
  rows: Row[],
  total: number,
  limit: number,
  field: SortField<Row>,
  id: SortField<Row>,
  toItem: (row: Row) => Item,
): { items: Item[]; total: number; nextCursor: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return {
    items: kept.map(toItem),
    total,
    nextCursor: more && last ? encodeCursor([field.value(last), id.value(last)]) : null,
  };
}

/** Runs a query with parameters (a repository's or DataSource's `query`). */
export type QueryRunnerFn = (text: string, params: unknown[]) => Promise<unknown>;

/** Builds the keyset query, runs the page and its count together, and answers the page. */
export async function keysetPage<Row, Item>(
  run: QueryRunnerFn,
  query: KeysetQuery<Row>,
  toItem: (row: Row) => Item,
): Promise<{ items: Item[]; total: number; nextCursor: string | null }> {
  const sql = keysetSql(query);
  const [rows, counted] = (await Promise.all([run(sql.page.text, sql.page.params), run(sql.count.text, sql.count.params)])) as [
    Row[],
    { total: number }[],
  ];
  return pageFrom(rows, counted[0]?.total ?? 0, query.limit, sql.field, query.id, toItem);
}

/** A "name contains" filter as an ILIKE pattern, the pattern's own wildcards escaped. */
export function containsPattern(value: string): string {
  return `%${value.replace(/[\\%_]/g, '\\$&')}%`;
}
