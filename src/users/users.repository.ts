import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { UserEntity } from './entities/user.entity';

@Injectable()
export class UsersRepository {
  constructor(
    @InjectRepository(UserEntity)
    private readonly users: Repository<UserEntity>,
  ) {}

  async isEmpty(): Promise<boolean> {
    return !(await this.users.exists());
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  /** The user a login names, with the password hash that is otherwise never selected. */
  findForLogin(usernameKey: string): Promise<UserEntity | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.usernameKey = :usernameKey', { usernameKey })
      .getOne();
  }

  async updatePasswordHash(manager: EntityManager, id: string, passwordHash: string): Promise<void> {
    await manager.update(UserEntity, { id }, { passwordHash });
  }

  async recordLogin(manager: EntityManager, id: string): Promise<void> {
    const now = new Date();
    await manager.update(UserEntity, { id }, { lastLoginAt: now, lastActivityAt: now });
  }

  async insert(manager: EntityManager, user: UserEntity): Promise<void> {
    await manager.insert(UserEntity, user);
  }
}
