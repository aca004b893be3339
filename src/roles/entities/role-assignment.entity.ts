import { Column, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';
import { AssignmentResourceEntity } from './assignment-resource.entity';

export type PrincipalType = 'user' | 'group';

/** A role given to a user or group, globally (scope `*`) or on a set of resources. */
@Entity('role_assignments')
export class RoleAssignmentEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'role_id', type: 'varchar', length: 36 })
  roleId!: string;

  @Column({ name: 'principal_type', type: 'varchar', length: 8 })
  principalType!: PrincipalType;

  @Column({ name: 'principal_id', type: 'varchar', length: 36 })
  principalId!: string;

  /** `*` for global, else a digest of the sorted resource ids: one unique index rejects duplicates. */
  @Column({ name: 'scope_key', type: 'varchar', length: 64 })
  scopeKey!: string;

  @OneToMany(() => AssignmentResourceEntity, (r) => r.assignment, {
    cascade: true,
  })
  resources!: AssignmentResourceEntity[];

  @TimestampColumn('created_at')
  createdAt!: Date;
}
