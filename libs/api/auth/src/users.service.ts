import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AccessChanges } from '@cockpit/api-access';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, type Principal } from '@cockpit/api-core';
import { UserEntity } from './entities/user.entity.js';
import { GrantsService } from './grants.service.js';
import { PasswordService } from './password.service.js';
import { SessionService } from './session.service.js';
import { TokensService } from './tokens.service.js';

export interface UserChanges {
  displayName?: string;
  disabled?: boolean;
  password?: string;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly passwords: PasswordService,
    private readonly grants: GrantsService,
    private readonly sessions: SessionService,
    private readonly tokens: TokensService,
    private readonly accessChanges: AccessChanges,
  ) {}

  findActive(id: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { id, disabled: false } });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.createQueryBuilder('u').where('lower(u.username) = lower(:username)', { username }).getOne();
  }

  /** A new user; a name taken already (in any case) is a conflict. */
  async create(username: string, password: string, displayName = username): Promise<UserEntity> {
    if (await this.findByUsername(username)) throw new ConflictError(`A user named "${username}" already exists`);
    const user = this.users.create({
      username,
      displayName,
      passwordHash: await this.passwords.hash(password),
      disabled: false,
      totpSecret: null,
    });
    try {
      return await this.users.save(user);
    } catch (error) {
      // Created meanwhile by a concurrent request: the unique index on lower(username) decides.
      if ((error as { code?: string }).code === '23505') throw new ConflictError(`A user named "${username}" already exists`);
      throw error;
    }
  }

  count(): Promise<number> {
    return this.users.count();
  }

  /**
   * An administrator renames, resets the password of, disables or enables a user: only one who
   * holds at least what that user holds. A new password or disabling ends the user's sessions and
   * API tokens at once.
   */
  async update(actor: Principal, userId: string, changes: UserChanges): Promise<UserEntity> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw new NotFoundError(`No user ${userId}`);
    if (changes.disabled && userId === actor.userId) throw new ConflictError('You cannot disable yourself');
    await this.grants.assertCanActOn(actor.grants, user);
    if (changes.displayName !== undefined) user.displayName = changes.displayName;
    if (changes.password !== undefined) user.passwordHash = await this.passwords.hash(changes.password);
    if (changes.disabled !== undefined) user.disabled = changes.disabled;
    await this.users.save(user);
    if (changes.disabled || changes.password !== undefined) await this.endEverythingOf(userId);
    this.accessChanges.changed([userId]);
    return user;
  }

  /** Your own password, with the current one: your API tokens and other sessions end; this one stays. */
  async changeOwnPassword(principal: Principal | undefined, currentPassword: string, newPassword: string): Promise<void> {
    if (!principal || principal.type !== 'user' || !principal.sessionIdHash)
      throw new ForbiddenError('Change your password from a signed-in session, not with an API token');
    const user = await this.users.findOneBy({ id: principal.userId });
    if (!user || !(await this.passwords.verify(user.passwordHash, currentPassword)))
      throw new UnauthenticatedError('Your current password is wrong');
    user.passwordHash = await this.passwords.hash(newPassword);
    await this.users.save(user);
    await this.endEverythingOf(user.id, principal.sessionIdHash);
  }

  private async endEverythingOf(userId: string, exceptSession?: string): Promise<void> {
    await this.sessions.revokeAllOf(userId, exceptSession);
    await this.tokens.revokeAllOf(userId);
  }
}
