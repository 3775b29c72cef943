import { createServer, type Server } from 'node:http';
import type { VaporPing } from '@cockpit/contracts';

export const AGENT_VERSION = '0.1.0';

/**
 * The Vapor agent's HTTP surface. For now it answers only `GET /v1/ping`; the host, VM, event and
 * job APIs (over HTTPS with a pinned certificate) and the hypervisor drivers come with the Vapor issue.
 */
export function createAgentServer(): Server {
  return createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/v1/ping') {
      const ping: VaporPing = { agent: 'vapor', version: AGENT_VERSION, apiVersion: 'v1' };
      return send(200, ping);
    }
    return send(404, { statusCode: 404, error: 'Not Found', message: `No route ${req.method ?? ''} ${req.url ?? ''}` });
  });
}
