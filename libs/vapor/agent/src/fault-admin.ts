import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { parseContract, vaporRoutes } from '@cockpit/contracts';
import { DriverError } from '@cockpit/vapor-driver';
import { tokenMatches } from './agent-auth.js';
import type { RunningAgent } from './agent-server.js';

/** Routes the nextRequests fault can aim at: every declared one but ping (the liveness check stays honest). */
const FAULTABLE_ROUTES = Object.keys(vaporRoutes).filter((id) => id !== 'ping') as [string, ...string[]];

const FaultRequest = z.object({
  hang: z.boolean().optional(),
  slowMs: z.number().int().min(0).max(600_000).optional(),
  malformed: z.boolean().optional(),
  dropEvents: z.literal(true).optional(),
  powerLoss: z.literal(true).optional(),
  powerRestore: z.literal(true).optional(),
  failMigrationAt: z.number().min(0).max(1).optional(),
  /** Stats frames carry these values from now on (`[]` stops it): to test how Cockpit copes with bad numbers. */
  badStats: z
    .array(
      z.object({
        target: z.union([z.literal('host'), z.uuid()]),
        field: z.enum(['vmId', 'cpuPercent', 'memoryUsedMiB', 'diskReadBps', 'diskWriteBps', 'netRxBps', 'netTxBps']),
        value: z.union([z.number(), z.string().max(100), z.boolean(), z.null()]),
      }),
    )
    .max(64)
    .optional(),
  /** The VM's guest ignores ACPI shutdown (true) or obeys it again (false): to test Cockpit's shutdown timeout. */
  ignoreAcpi: z.object({ vmId: z.uuid(), ignore: z.boolean() }).optional(),
  /**
   * The host's outgoing migrations and storage migrations stop moving bytes (true) and go on again
   * (false) while they keep running and reporting: to test Cockpit's stall detection.
   */
  stallMigrations: z.object({ stall: z.boolean() }).optional(),
  /**
   * The next `count` requests (to the declared route `routeId`, e.g. "actOnVm", or to any) wait
   * `delayMs`, then run, or answer `refuse` instead; null cancels it.
   */
  nextRequests: z
    .object({
      count: z.number().int().min(1).max(100_000),
      delayMs: z.number().int().min(0).max(600_000).default(0),
      routeId: z.enum(FAULTABLE_ROUTES).optional(),
      refuse: z
        .object({
          status: z.union([z.literal(409), z.literal(412), z.literal(422), z.literal(500), z.literal(502), z.literal(503)]),
          message: z.string().min(1).max(500),
        })
        .optional(),
    })
    .nullable()
    .optional(),
  clear: z.literal(true).optional(),
});

const MAX_BODY = 64 * 1024;

/**
 * Who may use the admin: a program on this machine that holds the agent's token. A web page in a
 * local browser can send a "simple" POST to 127.0.0.1, so the request must also name us exactly
 * in Host (a rebound DNS name does not), carry no Origin (browsers always add one) and be
 * `application/json` (which a page cannot send cross-origin without a preflight we never grant).
 */
function refusal(req: IncomingMessage, port: number, token: Buffer): [number, string] | undefined {
  const host = req.headers.host;
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
    return [403, `Host must be 127.0.0.1:${port} or localhost:${port}`];
  if (req.headers.origin !== undefined) return [403, 'Requests from web pages (with an Origin header) are refused'];
  if (!tokenMatches(req.headers.authorization, token)) return [401, 'Missing or wrong bearer token (the agent’s own)'];
  return undefined;
}

/**
 * `POST /hosts/<uuid>/faults` on 127.0.0.1 only: lets an out-of-process test break a host on purpose;
 * `GET /followers` (or `/hosts/<uuid>/followers`): which Cockpit instances follow each host's event
 * stream, and every time two did at once (the double-owner oracle of chaos:takeover). Off unless
 * --admin-port is given; both need the agent's bearer token, our exact Host, no Origin and
 * Content-Type: application/json.
 */
export async function startFaultAdmin(
  agent: RunningAgent,
  port: number,
  bearer: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const token = Buffer.from(bearer);
  const reasons: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    422: 'Unprocessable Entity',
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    const refuse = (status: number, message: string) => {
      reply(status, { statusCode: status, error: reasons[status] ?? 'Error', message });
      req.resume();
    };
    const refused = refusal(req, (server.address() as AddressInfo).port, token);
    if (refused) return refuse(...refused);
    const url = req.url ?? '';
    const followers = /^\/(?:hosts\/([0-9a-f-]{36})\/)?followers$/.exec(url);
    const match = /^\/hosts\/([0-9a-f-]{36})\/faults$/.exec(url);
    const uuid = (followers ?? match)?.[1];
    const known = uuid === undefined || agent.baseUrls.has(uuid);
    if (!known || !((req.method === 'GET' && followers) || (req.method === 'POST' && match && uuid)))
      return refuse(404, 'POST /hosts/<uuid of a host here>/faults, GET /followers or GET /hosts/<uuid>/followers');
    if (req.headers['content-type']?.split(';')[0]?.trim().toLowerCase() !== 'application/json')
      return refuse(415, 'Send Content-Type: application/json');
    // The double-owner oracle: who follows each host's event stream, every overlap and how long.
    if (followers) {
      req.resume();
      return reply(200, agent.followers.report(uuid));
    }
    if (!uuid) return refuse(404, 'POST /hosts/<uuid of a host here>/faults');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return refuse(413, `At most ${MAX_BODY} bytes`);
      let json: unknown;
      try {
        json = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return refuse(400, 'Body is not valid JSON');
      }
      const parsed = parseContract(FaultRequest, json);
      if (!parsed.success)
        return refuse(400, parsed.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
      const body = parsed.data;
      if (body.clear) agent.faults.clear(uuid);
      // First what may be refused (an unknown VM, a host that simulates nothing): a refusal changes nothing else.
      try {
        if (body.ignoreAcpi) agent.faults.ignoreAcpi(uuid, body.ignoreAcpi.vmId, body.ignoreAcpi.ignore);
        if (body.stallMigrations) agent.faults.stallMigrations(uuid, body.stallMigrations.stall);
      } catch (error) {
        if (error instanceof DriverError) return refuse(error.status, error.message);
        throw error;
      }
      const { hang, slowMs, malformed } = body;
      agent.faults.set(uuid, Object.fromEntries(Object.entries({ hang, slowMs, malformed }).filter(([, v]) => v !== undefined)));
      if (body.dropEvents) agent.faults.dropEvents(uuid);
      if (body.powerLoss) agent.faults.powerLoss(uuid);
      if (body.powerRestore) agent.faults.powerRestore(uuid);
      if (body.failMigrationAt !== undefined) agent.faults.failNextMigration(uuid, body.failMigrationAt);
      if (body.badStats) agent.faults.corruptStats(uuid, body.badStats);
      if (body.nextRequests !== undefined) {
        const next = body.nextRequests;
        agent.faults.set(uuid, {
          nextRequests: next && {
            routeId: next.routeId ?? null,
            remaining: next.count,
            delayMs: next.delayMs,
            refuse: next.refuse ?? null,
          },
        });
      }
      reply(200, agent.faults.get(uuid));
    });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
