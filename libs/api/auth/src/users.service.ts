import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserEntity } from './entities/user.entity.js';
import { PasswordService } from './password.service.js';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly passwords: PasswordService,
  ) {}

  findActive(id: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { id, disabled: false } });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.createQueryBuilder('u').where('lower(u.username) = lower(:username)', { username }).getOne();
  }

  async create(username: string, password: string, displayName = username): Promise<UserEntity> {
    const user = this.users.create({
      username,
      displayName,
      passwordHash: await this.passwords.hash(password),
      disabled: false,
      totpSecret: null,
    });
    return this.users.save(user);
  }

  count(): Promise<number> {
    return this.users.count();
  }
}
