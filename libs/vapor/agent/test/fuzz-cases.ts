/** Malformed inputs for the agent fuzz test: each case is one request (or one WebSocket). */
export interface FuzzCase {
  name: string;
  /** Another method than the route's (wrong-method cases). */
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const deepValue = (levels: number): unknown => JSON.parse(deepArray(levels)) as unknown;

/** Stands for the literal 9007199254740993 (2^53 + 1), which no JavaScript number can hold: put in the JSON text. */
const BIG_INTEGER = '__2^53+1__';
const json = (value: unknown) => JSON.stringify(value).replaceAll(`"${BIG_INTEGER}"`, '9007199254740993');

/** Values that are wrong for nearly every field: types, extremes, unsafe text, size, depth. */
export const BAD_VALUES: [string, unknown][] = [
  ['null', null],
  ['true', true],
  ['zero', 0],
  ['-1', -1],
  ['1.5', 1.5],
  ['1e308', 1e308],
  ['-1e308', -1e308],
  ['2^53+1', BIG_INTEGER],
  ['empty string', ''],
  ['numeric string', '1'],
  ['NUL', 'a\u0000b'],
  ['lone surrogate', 'a\ud800b'],
  ['100 kB string', 'x'.repeat(100_000)],
  ['array', ['a', 1, null]],
  ['object', { a: 1 }],
  ['object with a NUL key', { 'k\u0000': 1 }],
  ['object with a lone surrogate key', { '\udbff': 'x' }],
  ['array with NUL', ['ok', '\u0000']],
  ['deep array', deepValue(1000)],
  ['uuid', '00000000-0000-4000-8000-000000000000'],
];

/** Whole bodies that are not what any route takes. */
export const BAD_BODIES: [string, string | Buffer][] = [
  ['empty', ''],
  ['truncated', '{"name": '],
  ['trailing comma', '{"a": 1,}'],
  ['single quotes', "{'a': 1}"],
  ['bare word', 'nul'],
  ['null', 'null'],
  ['number', '1e308'],
  ['big integer', '9007199254740993'],
  ['string', '"x"'],
  ['array', '[]'],
  ['10k nested arrays', deepArray(10_000)],
  ['10k nested objects', deepObject(10_000)],
  ['500k nested arrays (just under the body limit)', deepArray(500_000)],
  ['50k keys', JSON.stringify(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i])))],
  ['__proto__ key', '{"__proto__": {"polluted": true}}'],
  ['constructor.prototype', '{"constructor": {"prototype": {"polluted": true}}}'],
  ['NUL key', '{"\\u0000": 1}'],
  ['lone surrogate key', '{"\\udc00": 1}'],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0xff, 0x22, 0x7d])],
  ['over the body limit', `{"a": "${'x'.repeat(1_100_000)}"}`],
];

/** Replacements for a path parameter (a uuid everywhere). */
export const BAD_PARAMS: [string, string][] = [
  ['not a uuid', 'x'],
  ['number', '1'],
  ['uppercase uuid', '00000000-0000-4000-8000-00000000000A'],
  ['uuid with NUL', '00000000-0000-4000-8000-000000000000%00'],
  ['NUL', '%00'],
  ['bad escape', '%ZZ'],
  ['half escape', '%E'],
  ['encoded lone surrogate', '%ED%A0%80'],
  ['invalid UTF-8', '%FF%FE'],
  ['encoded slashes', '..%2F..%2Fv1%2Fhost'],
  ['dot dot', '..'],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['5 kB', 'a'.repeat(5000)],
  ['emoji', '%F0%9F%98%80'],
];

export const BAD_QUERIES: [string, string][] = [
  ['empty value', 'keepDisks='],
  ['wrong enum', 'keepDisks=maybe'],
  ['repeated', 'keepDisks=true&keepDisks=false'],
  ['bracket array', 'keepDisks[]=true'],
  ['bracket object', 'keepDisks[a]=true'],
  ['__proto__', '__proto__[polluted]=true'],
  ['constructor', 'constructor[prototype][polluted]=true'],
  ['NUL', 'keepDisks=%00'],
  ['bad escape', 'keepDisks=%ZZ'],
  ['lone surrogate', 'since=%ED%A0%80'],
  ['negative since', 'since=-1'],
  ['huge since', 'since=1e308'],
  ['big since', 'since=9007199254740993'],
  ['not a number', 'since=abc'],
  ['two sinces', 'since=1&since=2'],
  ['long stream', `since=0&stream=${'s'.repeat(5000)}`],
  ['NUL stream', 'since=0&stream=a%00b'],
  ['8 kB query', `x=${'q'.repeat(8000)}`],
];

export const BAD_IF_MATCH: string[] = [
  '"abc"',
  '*',
  'W/"1"',
  '"-1"',
  '"0"',
  '"1.5"',
  '"1", "2"',
  '"99999999999999999999999"',
  `"${'9'.repeat(400)}"`,
  '""',
];

export const BAD_CONTENT_TYPES: string[] = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/jsonx',
];

/**
 * Every mutation of a valid body: each field missing, each field (and each field one level
 * down) set to every bad value, extra fields (prototype keys included), unsafe keys.
 */
export function mutateBody(base: Record<string, unknown>): [string, string][] {
  const cases: [string, string][] = [];
  const visit = (target: Record<string, unknown>, pathPrefix: string, depth: number) => {
    for (const key of Object.keys(target)) {
      const without = { ...target };
      delete without[key];
      cases.push([`missing ${pathPrefix}${key}`, json(replaceAt(base, pathPrefix, without))]);
      for (const [name, value] of BAD_VALUES)
        cases.push([`${pathPrefix}${key} = ${name}`, json(replaceAt(base, pathPrefix, { ...target, [key]: value }))]);
      const inner = target[key];
      if (depth < 1 && inner && typeof inner === 'object' && !Array.isArray(inner))
        visit(inner as Record<string, unknown>, `${pathPrefix}${key}.`, depth + 1);
    }
  };
  visit(base, '', 0);
  const text = JSON.stringify(base);
  const withKey = (key: string, value: string) => `{"${key}": ${value}, ${text.slice(1)}`;
  cases.push(
    ['extra field', JSON.stringify({ ...base, extra: 'x' })],
    ['extra __proto__', withKey('__proto__', '{"polluted": true}')],
    ['extra constructor', withKey('constructor', '{"prototype": {"polluted": true}}')],
    ['extra prototype', withKey('prototype', '{"polluted": true}')],
    ['NUL key', withKey('\\u0000', '1')],
    ['lone surrogate key', withKey('\\ud800', '1')],
    ['duplicate keys', withKey(Object.keys(base)[0] ?? 'a', '{"a": 1}')],
    ['10k deep extra field', withKey('deep', deepArray(10_000))],
  );
  return cases;
}

function replaceAt(base: Record<string, unknown>, pathPrefix: string, replacement: Record<string, unknown>) {
  if (!pathPrefix) return replacement;
  const key = pathPrefix.slice(0, -1);
  return { ...base, [key]: replacement };
}

/** VNC: a client that speaks RFB wrongly, in pieces. */
export const BAD_RFB: Buffer[] = [
  Buffer.from('RFB 003.008\n', 'latin1'),
  Buffer.from([1]), // security None
  Buffer.from([1]), // ClientInit
  Buffer.from([0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), // SetPixelFormat 7 bpp
  Buffer.from([2, 0, 0xff, 0xff]), // SetEncodings announcing 65535 entries, none sent
  Buffer.from([6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), // ClientCutText of 4 GiB
  Buffer.from([3, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // update request beyond the screen
  Buffer.from([0xff, 0xfe, 0xfd]),
];

export const BAD_SERIAL: (string | Buffer)[] = [
  '\u0000\u0001\u0002\u001b[999999999;999999999H',
  `${'x'.repeat(60_000)}\r`,
  'echo \ud800\r',
  '\u0003\u007f\u007f\u007f\b\b\r',
  Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80, 0x0d]),
  Buffer.alloc(70_000, 0x61), // over the WebSocket message limit
];
