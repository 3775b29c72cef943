import { Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('group_members')
@Index(['userId'])
export class GroupMemberEntity {
  @PrimaryColumn({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;
}
