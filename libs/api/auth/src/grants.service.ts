import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Permission, ScopePath, type Grant } from '@cockpit/contracts';
import { RoleBindingEntity } from './entities/role-binding.entity.js';
import { RoleEntity } from './entities/role.entity.js';

/** What a user may do where: the roles bound to them, as grants for the permission evaluator. */
@Injectable()
export class GrantsService {
  constructor(
    @InjectRepository(RoleBindingEntity) private readonly bindings: Repository<RoleBindingEntity>,
    @InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>,
  ) {}

  async forUser(userId: string): Promise<Grant[]> {
    const bindings = await this.bindings.find({ where: { subjectType: 'user', subjectId: userId } });
    if (!bindings.length) return [];
    const roles = new Map(
      (await this.roles.find({ where: { id: In([...new Set(bindings.map((b) => b.roleId))]) } })).map((r) => [r.id, r]),
    );
    return bindings.flatMap((binding) => {
      const role = roles.get(binding.roleId);
      const scope = ScopePath.safeParse(binding.scope);
      if (!role || !scope.success) return [];
      return [
        { scope: scope.data, permissions: role.permissions.filter((p): p is Permission => Permission.safeParse(p).success) },
      ];
    });
  }

  async bind(userId: string, roleName: string, scope: ScopePath): Promise<void> {
    const role = await this.roles.findOneByOrFail({ name: roleName });
    await this.bindings.insert({ subjectType: 'user', subjectId: userId, roleId: role.id, scope });
  }
}
