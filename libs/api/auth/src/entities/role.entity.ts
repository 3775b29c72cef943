import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('roles')
export class RoleEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  name!: string;

  @Column({ type: 'text', array: true })
  permissions!: string[];

  @Column({ name: 'built_in', type: 'boolean', default: false })
  builtIn!: boolean;

  /** Users bound to this role must use a second factor (they enroll at their next sign-in). */
  @Column({ name: 'require_totp', type: 'boolean', default: false })
  requireTotp!: boolean;
}
