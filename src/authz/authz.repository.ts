import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GLOBAL_SCOPE } from '../roles/permissions';

/** Read-side queries that answer "what may this user do", direct and through groups. */
@Injectable()
export class AuthzRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every permission the user holds globally, directly or through a group: one indexed query. */
  async globalPermissions(userId: string): Promise<string[]> {
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('DISTINCT rp.permission', 'permission')
      .from('role_assignments', 'ra')
      .innerJoin('role_permissions', 'rp', 'rp.role_id = ra.role_id')
      .where('ra.scope_key = :global', { global: GLOBAL_SCOPE })
      .andWhere(
        `((ra.principal_type = 'user' AND ra.principal_id = :userId) OR (ra.principal_type = 'group' AND ra.principal_id IN (SELECT gm.group_id FROM group_members gm WHERE gm.user_id = :userId)))`,
        { userId },
      )
      .getRawMany<{ permission: string }>();
    return rows.map((row) => row.permission);
  }
}
