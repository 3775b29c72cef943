import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG, type Principal } from '@cockpit/api-core';
import { InventoryService } from '@cockpit/api-hosts';
import { CONSOLE_TICKET_SECONDS, consoleSocketPath, type ConsoleKind, type ConsoleTicket } from '@cockpit/contracts';
import { ConsoleTicketEntity } from './console-ticket.entity.js';

const hash = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

/** What the principal's ticket is bound to besides the user: its session, or its token. */
export const credentialOf = (principal: Principal) =>
  principal.tokenId ? `token:${principal.tokenId}` : `session:${principal.sessionIdHash ?? ''}`;

export type Redemption =
  { ok: true; ticket: ConsoleTicketEntity } | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'other-vm' | 'other-user' };

/** Issues console tickets and redeems each at most once, atomically, whichever instance is asked. */
@Injectable()
export class ConsoleTickets {
  constructor(
    @InjectRepository(ConsoleTicketEntity) private readonly tickets: Repository<ConsoleTicketEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly inventory: InventoryService,
  ) {}

  async issue(principal: Principal, vmId: string, kind: ConsoleKind): Promise<ConsoleTicket> {
    const vm = await this.inventory.getVm(vmId);
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + CONSOLE_TICKET_SECONDS * 1000);
    await this.tickets.insert({
      ticketHash: hash(ticket),
      vmId,
      kind,
      userId: principal.userId,
      credential: credentialOf(principal),
      issuedBy: this.config.instanceId,
      expiresAt,
    });
    // Old tickets are worth nothing: sweep the expired ones now and then.
    if (Math.random() < 0.05)
      await this.tickets.query(`DELETE FROM console_tickets WHERE expires_at < now() - interval '1 hour'`);
    return {
      ticket,
      kind,
      vmId,
      vmName: vm.name,
      hostName: vm.hostName,
      user: principal.name,
      path: consoleSocketPath(vmId, ticket),
      expiresAt: expiresAt.toISOString(),
      issuedBy: this.config.instanceId,
    };
  }

  /** Uses the ticket up (whatever the outcome: a ticket shown to the wrong party is burnt) and says whether it opens this console. */
  async redeem(ticket: string, vmId: string, principal: Principal): Promise<Redemption> {
    const key = hash(ticket);
    const claimed = (await this.tickets.query(
      `UPDATE console_tickets SET used_at = now(), used_by = $2 WHERE ticket_hash = $1 AND used_at IS NULL
       RETURNING vm_id, kind, user_id, credential, issued_by, expires_at, expires_at < now() AS expired`,
      [key, this.config.instanceId],
    )) as [
      {
        vm_id: string;
        kind: ConsoleKind;
        user_id: string;
        credential: string;
        issued_by: string;
        expires_at: Date;
        expired: boolean;
      }[],
      number,
    ];
    const row = claimed[0][0];
    if (!row) {
      const [existing] = (await this.tickets.query('SELECT 1 FROM console_tickets WHERE ticket_hash = $1', [key])) as unknown[];
      return { ok: false, reason: existing ? 'used' : 'unknown' };
    }
    if (row.expired) return { ok: false, reason: 'expired' };
    if (row.vm_id !== vmId) return { ok: false, reason: 'other-vm' };
    if (row.user_id !== principal.userId || row.credential !== credentialOf(principal))
      return { ok: false, reason: 'other-user' };
    return {
      ok: true,
      ticket: Object.assign(new ConsoleTicketEntity(), {
        ticketHash: key,
        vmId: row.vm_id,
        kind: row.kind,
        userId: row.user_id,
        credential: row.credential,
        issuedBy: row.issued_by,
        expiresAt: row.expires_at,
        usedAt: new Date(),
        usedBy: this.config.instanceId,
      }),
    };
  }
}
