import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { createServer, request, type Agent, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { generate } from 'selfsigned';
import { CertificateMismatchError, pinnedAgent } from './pinned-tls.js';

interface Identity {
  key: string;
  cert: string;
  fingerprint: string;
}

async function identity(name: string): Promise<Identity> {
  const pems = await generate([{ name: 'commonName', value: name }], { keyType: 'ec', algorithm: 'sha256' });
  return { key: pems.private, cert: pems.cert, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}

/** One GET over the agent; every answer closes its connection, so each request is a new TLS connection. */
function get(agent: Agent, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
}

let server: Server;
let port: number;
/** A second host with the same certificate (a fleet of simulated hosts shares one). */
let twin: Server;
let twinPort: number;
let first: Identity;
let second: Identity;

beforeAll(async () => {
  [first, second] = await Promise.all([identity('host-a'), identity('host-b')]);
  server = createServer({ key: first.key, cert: first.cert }, (_req, res) => {
    res.writeHead(200, { Connection: 'close' }).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  twin = createServer({ key: first.key, cert: first.cert }, (_req, res) => {
    res.writeHead(200, { Connection: 'close' }).end('twin');
  });
  await new Promise<void>((resolve) => twin.listen(0, '127.0.0.1', resolve));
  twinPort = (twin.address() as AddressInfo).port;
});
afterAll(() => {
  for (const each of [server, twin]) {
    each.closeAllConnections();
    each.close();
  }
});

describe('pinnedAgent', () => {
  it('talks to the host presenting the pinned certificate', async () => {
    const agent = await pinnedAgent(`https://127.0.0.1:${port}`, first.fingerprint);
    await expect(get(agent, `https://127.0.0.1:${port}/`)).resolves.toBe('ok');
  });

  it('refuses a host presenting any other certificate', async () => {
    await expect(pinnedAgent(`https://127.0.0.1:${port}`, second.fingerprint)).rejects.toBeInstanceOf(CertificateMismatchError);
  });

  it('builds no TLS context per connection: one per pinned certificate, shared by every agent for it', async () => {
    const original = tls.createSecureContext;
    let built = 0;
    tls.createSecureContext = (options) => {
      built += 1;
      return original(options);
    };
    try {
      // Two hosts are two agents (agents are per host), with one certificate between them.
      const one = await pinnedAgent(`https://127.0.0.1:${port}`, first.fingerprint);
      const other = await pinnedAgent(`https://127.0.0.1:${twinPort}`, first.fingerprint);
      expect(other).not.toBe(one);
      const before = built;
      // Parallel requests open parallel connections; sequential ones a new connection each (Connection: close).
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => get(i % 2 ? other : one, `https://127.0.0.1:${i % 2 ? twinPort : port}/`)),
      );
      for (let i = 0; i < 4; i++) answers.push(await get(one, `https://127.0.0.1:${port}/`));
      expect(answers.filter((answer) => answer === 'ok')).toHaveLength(10);
      expect(answers.filter((answer) => answer === 'twin')).toHaveLength(6);
      expect(built - before).toBe(0);
      expect((other as Agent & { options: tls.ConnectionOptions }).options.secureContext).toBe(
        (one as Agent & { options: tls.ConnectionOptions }).options.secureContext,
      );
    } finally {
      tls.createSecureContext = original;
    }
  });

  it('keeps refusing once the host swaps its certificate behind an agent already made', async () => {
    const agent = await pinnedAgent(`https://127.0.0.1:${port}`, first.fingerprint);
    server.setSecureContext({ key: second.key, cert: second.cert });
    try {
      server.closeAllConnections();
      await expect(get(agent, `https://127.0.0.1:${port}/`)).rejects.toThrow();
    } finally {
      server.setSecureContext({ key: first.key, cert: first.cert });
    }
    await expect(get(agent, `https://127.0.0.1:${port}/`)).resolves.toBe('ok');
  });
});
