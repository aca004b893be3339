import { DataSource } from 'typeorm';

/**
 * Rows that break an invariant no request may break: memberships and assignments whose user or group is gone,
 * and groups whose stored `member_count` is not their number of members. Always empty.
 */
const INCONSISTENCIES_SQL = `SELECT 'member-user' AS kind, m.user_id AS id FROM group_members m LEFT JOIN users u ON u.id = m.user_id WHERE u.id IS NULL
  UNION ALL SELECT 'member-group', m.group_id FROM group_members m LEFT JOIN user_groups g ON g.id = m.group_id WHERE g.id IS NULL
  UNION ALL SELECT 'assignment-user', a.principal_id FROM role_assignments a LEFT JOIN users u ON u.id = a.principal_id WHERE a.principal_type = 'user' AND u.id IS NULL
  UNION ALL SELECT 'assignment-group', a.principal_id FROM role_assignments a LEFT JOIN user_groups g ON g.id = a.principal_id WHERE a.principal_type = 'group' AND g.id IS NULL
  UNION ALL SELECT 'member-count', g.id FROM user_groups g WHERE g.member_count <> (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id)`;

export function inconsistencies(dataSource: DataSource): Promise<{ kind: string; id: string }[]> {
  return dataSource.query(INCONSISTENCIES_SQL);
}
