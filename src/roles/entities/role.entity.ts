import { Column, Entity, OneToMany, PrimaryColumn, VersionColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';
import { RolePermissionEntity } from './role-permission.entity';

@Entity('roles')
export class RoleEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'name_key', type: 'varchar', length: 100 })
  nameKey!: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description!: string | null;

  @Column({ type: 'boolean' })
  predefined!: boolean;

  @OneToMany(() => RolePermissionEntity, (p) => p.role, { cascade: true })
  permissions!: RolePermissionEntity[];

  @TimestampColumn('created_at')
  createdAt!: Date;

  @TimestampColumn('updated_at')
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
