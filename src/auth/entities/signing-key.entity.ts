import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';

/** A token-signing key pair shared by every replica through the database. */
@Entity('signing_keys')
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid!: string;

  @Column({ type: 'varchar', length: 16 })
  algorithm!: string;

  @Column({ name: 'private_key', type: 'text', select: false })
  privateKey!: string;

  @Column({ name: 'public_key', type: 'text' })
  publicKey!: string;

  @TimestampColumn('created_at')
  createdAt!: Date;

  /** Set when a newer key took over signing; the public key stays published until its tokens have expired. */
  @TimestampColumn('retired_at', { nullable: true })
  retiredAt!: Date | null;
}
