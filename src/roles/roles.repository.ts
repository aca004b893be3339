import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CursorValue } from '../common/pagination/cursor';
import { applyKeyset } from '../common/pagination/keyset';
import { RolePermissionEntity } from './entities/role-permission.entity';
import { RoleEntity } from './entities/role.entity';
import { authzChanged } from '../authz/authz-epoch';

@Injectable()
export class RolesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<RoleEntity | null> {
    return manager.findOne(RoleEntity, { where: { id }, relations: { permissions: true } });
  }

  findByNameKey(manager: EntityManager, key: string): Promise<RoleEntity | null> {
    return manager.findOneBy(RoleEntity, { nameKey: key });
  }

  /** One page of roles in name order, with their permissions (two queries). */
  async page(limit: number, position?: CursorValue[]): Promise<RoleEntity[]> {
    const qb = this.dataSource.getRepository(RoleEntity).createQueryBuilder('r');
    applyKeyset(qb, 'r.nameKey', 'r.id', 'ASC', position);
    const roles = await qb.limit(limit + 1).getMany();
    if (roles.length) {
      const permissions = await this.dataSource
        .getRepository(RolePermissionEntity)
        .createQueryBuilder('rp')
        .where('rp.roleId IN (:...ids)', { ids: roles.map((r) => r.id) })
        .getMany();
      for (const role of roles) {
        role.permissions = permissions.filter((p) => p.roleId === role.id);
      }
    }
    return roles;
  }

  async insert(manager: EntityManager, role: Omit<RoleEntity, 'permissions'>, permissions: string[]): Promise<void> {
    await manager.insert(RoleEntity, role);
    await this.insertPermissions(manager, role.id, permissions);
  }

  async update(
    manager: EntityManager,
    id: string,
    fields: Partial<Pick<RoleEntity, 'name' | 'nameKey' | 'description'>>,
    permissions?: string[],
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(RoleEntity)
      .set({ ...fields, updatedAt: new Date(), version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
    if (permissions) {
      await manager.delete(RolePermissionEntity, { roleId: id });
      await this.insertPermissions(manager, id, permissions);
      authzChanged(manager);
    }
  }

  /** Deletes the role; its assignments (and their resources) go with it by cascade. */
  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(RoleEntity, { id });
    authzChanged(manager);
  }

  private async insertPermissions(manager: EntityManager, roleId: string, permissions: string[]): Promise<void> {
    await manager.insert(
      RolePermissionEntity,
      permissions.map((permission) => ({ roleId, permission })),
    );
  }
}
