import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TransactionalRepositories } from '@cockpit/api-core';
import { AuditModule } from '@cockpit/api-audit';
import { AdminBootstrapService } from './admin-bootstrap.service.js';
import { AccessController } from './access.controller.js';
import { AuthController } from './auth.controller.js';
import { AccessAdminService } from './access-admin.service.js';
import { AuthGuard } from './auth.guard.js';
import { DirectoryService } from './directory.service.js';
import { ApiTokenEntity } from './entities/api-token.entity.js';
import { GroupMemberEntity } from './entities/group-member.entity.js';
import { GroupEntity } from './entities/group.entity.js';
import { LoginFailureEntity } from './entities/login-failure.entity.js';
import { RoleBindingEntity } from './entities/role-binding.entity.js';
import { RoleEntity } from './entities/role.entity.js';
import { SessionEntity } from './entities/session.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { GrantsService } from './grants.service.js';
import { PrincipalService } from './principal.service.js';
import { PasswordService } from './password.service.js';
import { SessionService } from './session.service.js';
import { ThrottleService } from './throttle.service.js';
import { TokensService } from './tokens.service.js';
import { TotpService } from './totp.service.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

export const authEntities = [
  UserEntity,
  SessionEntity,
  RoleEntity,
  RoleBindingEntity,
  LoginFailureEntity,
  GroupEntity,
  GroupMemberEntity,
  ApiTokenEntity,
];

/** Sign-in, sessions, the first admin, and the global guard every route passes. */
@Module({
  imports: [TransactionalRepositories.forFeature(authEntities), AuditModule],
  controllers: [AuthController, UsersController, AccessController],
  providers: [
    PasswordService,
    SessionService,
    ThrottleService,
    GrantsService,
    UsersService,
    TokensService,
    TotpService,
    AdminBootstrapService,
    PrincipalService,
    DirectoryService,
    AccessAdminService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [UsersService, GrantsService, SessionService, AdminBootstrapService, PrincipalService],
})
export class AuthModule {}
