import { randomBytes } from 'node:crypto';
import { request, type Agent } from 'node:https';

export interface RawAnswer {
  /** HTTP status; 101 when a WebSocket upgrade was accepted. */
  status: number;
  text: string;
  /** The request got no answer within the timeout. */
  timedOut?: boolean;
}

/**
 * One HTTPS request with the request-target sent exactly as given (no URL normalisation, so
 * `/v1/ping/..`, `#`, `%2F` and double slashes reach the server as written). With `upgrade`, a
 * WebSocket handshake: a 101 resolves at once (the socket is destroyed), anything else with its body.
 */
export function rawRequest(
  port: number,
  path: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    upgrade?: boolean;
    timeoutMs?: number;
    /** A keep-alive agent for many requests; default: a fresh connection. */
    agent?: Agent;
  } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    // Node sends a DELETE's body without framing unless told its length.
    if (options.body !== undefined) headers['Content-Length'] ??= String(Buffer.byteLength(options.body));
    if (options.upgrade) {
      Object.assign(headers, {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      });
    }
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers,
        rejectUnauthorized: false,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status: 0, text: '', timedOut: true });
    }, options.timeoutMs ?? 5000);
    req.on('upgrade', (res, socket) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, text: '' });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(options.body);
  });
}

/** The path of a route pattern with its parameters filled in. */
export function fillRoute(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/:(\w+)/g, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No value for :${name} in ${pattern}`);
    return value;
  });
}
