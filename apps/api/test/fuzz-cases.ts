/**
 * Malformed requests for every operation of an OpenAPI document: what a careless or hostile
 * client sends. Each case is one HTTP request; the fuzz test checks how the api answers.
 */

export interface FuzzCase {
  operation: string;
  method: string;
  /** Path with query, already encoded the way the case wants it on the wire. */
  url: string;
  what: string;
  body?: string;
  contentType?: string;
}

interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  default?: unknown;
  format?: string;
}

interface Operation {
  operationId: string;
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const NUL = '\u0000';
const LONE = '\ud800';
const HUGE = 'x'.repeat(100_000);
const BAD_PATH_VALUES: [string, string][] = [
  ['not a uuid', 'not-a-uuid'],
  ['NUL', '%00'],
  ['a lone surrogate (CESU-8)', '%ED%A0%80'],
  ['broken percent-encoding', '%E0%A4%A'],
  ['a lone percent', '%'],
  ['traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['5 kB', 'a'.repeat(5000)],
  ['__proto__', '__proto__'],
];

/** A plausible value for a schema, so each mutation breaks one thing at a time. */
export function sample(schema: Schema | undefined, doc: OpenApiDocument, depth = 0): unknown {
  if (!schema || depth > 8) return null;
  if (schema.$ref) return sample(doc.components?.schemas?.[schema.$ref.split('/').pop() ?? ''], doc, depth + 1);
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (alternatives?.length) return sample(alternatives[0], doc, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, inner]) => [key, sample(inner, doc, depth + 1)]),
      );
    case 'array':
      return [sample(schema.items, doc, depth + 1)];
    case 'string':
      return schema.format === 'uuid' ? '00000000-0000-4000-8000-000000000000' : 'fuzz';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

/** Every (path to a leaf, leaf) of a sample value. */
function leaves(value: unknown, path: string[] = []): [string[], unknown][] {
  if (value && typeof value === 'object' && !Array.isArray(value))
    return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => leaves(inner, [...path, key]));
  return [[path, value]];
}

function withLeaf(value: unknown, path: string[], leaf: unknown): unknown {
  if (!path.length) return leaf;
  const [head = '', ...rest] = path;
  return { ...(value as Record<string, unknown>), [head]: withLeaf((value as Record<string, unknown>)[head], rest, leaf) };
}

/** All the cases for one operation, given real values for its path parameters. */
export function casesFor(
  method: string,
  path: string,
  operation: Operation,
  doc: OpenApiDocument,
  paramValue: (name: string) => string,
): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const pathParams = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
  const queryParams = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  const fill = (override: Record<string, string> = {}) =>
    path.replace(/\{([^}]+)\}/g, (_, name: string) => override[name] ?? encodeURIComponent(paramValue(name)));
  const add = (what: string, url: string, body?: string, contentType = 'application/json') =>
    cases.push({
      operation: operation.operationId,
      method,
      url,
      what,
      body,
      contentType: body === undefined ? undefined : contentType,
    });

  for (const name of pathParams) for (const [what, raw] of BAD_PATH_VALUES) add(`path ${name}: ${what}`, fill({ [name]: raw }));

  const base = fill();
  for (const name of queryParams) {
    add(`query ${name}: NUL`, `${base}?${name}=%00`);
    add(`query ${name}: lone surrogate`, `${base}?${name}=%ED%A0%80`);
    add(`query ${name}: broken encoding`, `${base}?${name}=%E0%A4%A`);
    add(`query ${name}: 1e308`, `${base}?${name}=1e308`);
    add(`query ${name}: 2^53+1`, `${base}?${name}=9007199254740993`);
    add(`query ${name}: repeated`, `${base}?${name}=a&${name}=b&${name}=c`);
    add(`query ${name}: nested`, `${base}?${name}[a][b]=1&${name}[__proto__][x]=1`);
    add(`query ${name}: 8 kB`, `${base}?${name}=${'q'.repeat(8000)}`);
  }
  add('query __proto__', `${base}?__proto__[admin]=1&constructor[prototype][x]=1`);

  const schema = operation.requestBody?.content?.['application/json']?.schema;
  if (schema || !['get', 'head'].includes(method)) {
    const good = sample(schema, doc);
    const json = (value: unknown) => JSON.stringify(value);
    add('body: broken JSON', base, '{"a": [1, 2,');
    add('body: not JSON at all', base, 'hello', 'text/plain');
    add('body: JSON with a text/plain type', base, json(good), 'text/plain');
    for (const [what, value] of [
      ['null', null],
      ['an array', [good]],
      ['a string', 'fuzz'],
      ['a number', 42],
      ['an empty object', {}],
    ] as const)
      add(`body: ${what}`, base, json(value));
    if (good && typeof good === 'object' && !Array.isArray(good)) {
      add('body: an extra field', base, json({ ...good, extraField: 'x' }));
      add(
        'body: __proto__ and constructor keys',
        base,
        json(good).replace(/^\{/, '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}, '),
      );
      add('body: a NUL in a key', base, json({ ...good, [`k${NUL}`]: 1 }));
      for (const [leafPath, leaf] of leaves(good)) {
        const at = leafPath.join('.') || '(root)';
        if (typeof leaf === 'string' || leaf === null) {
          add(`body ${at}: NUL`, base, json(withLeaf(good, leafPath, `a${NUL}b`)));
          add(
            `body ${at}: lone surrogate`,
            base,
            json(withLeaf(good, leafPath, `a${LONE}b`)).replace(/\\ud800|\ud800/i, '\\ud800'),
          );
          add(`body ${at}: 100 kB`, base, json(withLeaf(good, leafPath, HUGE)));
        }
        add(`body ${at}: wrong type`, base, json(withLeaf(good, leafPath, typeof leaf === 'string' ? 7 : 'seven')));
        add(`body ${at}: 1e308`, base, json(withLeaf(good, leafPath, '__NUMBER__')).replace('"__NUMBER__"', '1e308'));
        add(`body ${at}: 2^53+1`, base, json(withLeaf(good, leafPath, '__NUMBER__')).replace('"__NUMBER__"', '9007199254740993'));
        add(
          `body ${at}: deep nesting`,
          base,
          json(withLeaf(good, leafPath, '__DEEP__')).replace('"__DEEP__"', `${'['.repeat(5000)}${']'.repeat(5000)}`),
        );
        add(`body ${at}: missing`, base, json(withLeaf(good, leafPath, undefined)));
      }
    }
    add('body: deep nesting', base, `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
  }
  return cases;
}
