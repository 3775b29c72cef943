import { Host } from '@cockpit/contracts';
import { queryRows, type FleetHost } from '@cockpit/dev-testing';
import { VaporClient } from '@cockpit/vapor-client';
import { until, type Call } from './sign-in.js';

export interface EnrolledHost {
  id: string;
  host: FleetHost;
  /** Straight to the agent (the oracle for what Cockpit says). */
  client: VaporClient;
}

/** Enrols each host through the api, in order, and waits until every one is connected. */
export async function enrollAll(
  call: Call,
  databaseUrl: string,
  hosts: readonly FleetHost[],
  timeoutMs = 15_000,
): Promise<EnrolledHost[]> {
  const enrolled: EnrolledHost[] = [];
  for (const host of hosts) {
    const answer = await call('POST', '/api/hosts', { url: host.url, token: host.token, fingerprint: host.fingerprint });
    if (answer.status !== 201)
      throw new Error(`enrolling ${host.hostname} answered ${answer.status}: ${JSON.stringify(answer.json)}`);
    enrolled.push({
      id: Host.parse(answer.json).id,
      host,
      client: new VaporClient({ baseUrl: host.url, token: host.token, fingerprint: host.fingerprint }),
    });
  }
  await until(
    async () => (await queryRows(databaseUrl, 'SELECT state FROM hosts')).every((row) => row['state'] === 'connected'),
    timeoutMs,
    'hosts connected',
  );
  return enrolled;
}
