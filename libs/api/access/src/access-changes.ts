import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@cockpit/api-core';

export type AffectedUsers = readonly string[] | 'everyone';

/**
 * Whose access may have changed: auth says so where it changes sessions, tokens, roles, bindings
 * or group membership, and live streams re-check those users. Heard only once the change commits.
 */
@Injectable()
export class AccessChanges {
  private readonly listeners = new Set<(users: AffectedUsers) => void>();

  constructor(private readonly unitOfWork: UnitOfWork) {}

  changed(users: AffectedUsers): void {
    if (users !== 'everyone' && users.length === 0) return;
    this.unitOfWork.afterCommit(() => {
      for (const listener of this.listeners) listener(users);
    });
  }

  onChanged(listener: (users: AffectedUsers) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
