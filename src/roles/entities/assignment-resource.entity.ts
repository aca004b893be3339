import { Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RoleAssignmentEntity } from './role-assignment.entity';

@Entity('assignment_resources')
export class AssignmentResourceEntity {
  @PrimaryColumn({ name: 'assignment_id', type: 'varchar', length: 36 })
  assignmentId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  resource!: string;

  @ManyToOne(() => RoleAssignmentEntity, (a) => a.resources, {
    onDelete: 'CASCADE',
  })
  @JoinColumn({ name: 'assignment_id' })
  assignment?: RoleAssignmentEntity;
}
