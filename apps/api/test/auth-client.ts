import { request as httpRequest } from 'node:http';
import { Me } from '@cockpit/contracts';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** A browser-like client: keeps the session cookie and sends the CSRF token it was given. */
export class Client {
  cookie = '';
  csrf = '';
  lastSetCookie: string[] = [];

  constructor(private readonly base: string) {}

  async call(
    method: string,
    path: string,
    options: { body?: unknown; csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(options.csrf !== false && this.csrf ? { 'X-CSRF-Token': this.csrf } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    this.lastSetCookie = response.headers.getSetCookie();
    for (const cookie of this.lastSetCookie) {
      const [pair] = cookie.split(';');
      if (pair?.endsWith('=')) this.cookie = '';
      else if (pair) this.cookie = pair;
    }
    const text = await response.text();
    const json =
      (response.headers.get('content-type') ?? '').includes('json') && text ? (JSON.parse(text) as unknown) : undefined;
    return { status: response.status, headers: response.headers, text, json };
  }

  async login(username: string, password: string, second: { totp?: string; recoveryCode?: string } = {}) {
    const result = await this.call('POST', '/api/auth/login', { body: { username, password, ...second } });
    if (result.status === 200) this.csrf = Me.parse(result.json).csrfToken;
    return result;
  }
}

/**
 * A raw HTTP request, for headers fetch will not let a caller choose (Host) or would normalise
 * (a malformed Cookie).
 */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers: {
          ...headers,
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let json: unknown;
          try {
            json = text ? (JSON.parse(text) as unknown) : undefined;
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
