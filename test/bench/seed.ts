import { createHash } from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import { GLOBAL_SCOPE, PREDEFINED_ROLES } from '../../src/roles/permissions';
import { COMMON_GRAM_USERS, gramBloom, gramsOf } from '../../src/users/search-grams';
import { nameKey, searchText } from '../../src/users/username';

/** What the benchmarks know about the seeded data. */
export interface Seeded {
  users: number;
  password: string;
  bigGroupId: string;
  bigGroupMembers: number;
  authzUserId: string;
  client: { username: string; password: string };
  authzGroups: number;
  authzAssignments: number;
}

const FIRST = ['anna', 'ben', 'carla', 'dmitri', 'elena', 'farid', 'greta', 'hugo', 'ines', 'jonas', 'kaito', 'lena'];
const LAST = ['smith', 'garcia', 'müller', 'nowak', 'rossi', 'dubois', 'jensen', 'silva', 'tanaka', 'okafor', 'kim'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Finance', 'Support', 'Legal', null];

/** Deterministic uuid-shaped ids (valid v4 layout), so the seed needs no lookups to wire rows together. */
export const benchId = (kind: number, n: number): string =>
  `b${kind.toString(16).padStart(7, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** The username of seeded user n (1-based): unique, in a different order from the ids. */
export function benchUsername(n: number): string {
  return `${FIRST[n % FIRST.length]}.${LAST[(n >> 4) % LAST.length]}.${n}`;
}

const ts = '2026-11-01 00:00:00.000';

function profile(n: number): { username: string; fullName: string; email: string } {
  const username = benchUsername(n);
  const fullName = `${username.split('.')[0]} ${username.split('.')[1]}`.replace(/\b\w/g, (c) => c.toUpperCase());
  return { username, fullName, email: `${username}@example.com` };
}

function userRow(n: number, passwordHash: string): unknown[] {
  const { username, fullName, email } = profile(n);
  const created = new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString().slice(0, 23).replace('T', ' ');
  return [
    benchId(1, n),
    username,
    nameKey(username),
    fullName,
    email,
    null,
    DEPARTMENTS[n % DEPARTMENTS.length],
    searchText({ username, fullName, email }),
    gramBloom(gramsOf(searchText({ username, fullName, email }))),
    'internal',
    passwordHash,
    created,
    created,
  ];
}

/**
 * The trigram index of the seeded users, as UserSearchIndex keeps it: every trigram counted, postings only for the
 * ones held by at most COMMON_GRAM_USERS users, inserted in primary-key order.
 */
async function seedSearchGrams(db: Connection, users: number, batch: number, log: (s: string) => void): Promise<void> {
  const gramsOfUser = (n: number): string[] => gramsOf(searchText(profile(n)));
  const counts = new Map<string, number>();
  for (let n = 1; n <= users; n++) {
    for (const gram of gramsOfUser(n)) {
      counts.set(gram, (counts.get(gram) ?? 0) + 1);
    }
  }
  // Added to what the service counted for the administrator it created; then the common ones are marked.
  const rows = [...counts].map(([gram, count]) => [gram, count, 0]);
  for (let i = 0; i < rows.length; i += batch) {
    await insertRows(
      db,
      `INSERT INTO search_grams (gram, users, common) VALUES ?
       ON DUPLICATE KEY UPDATE users = users + VALUES(users)`,
      rows.slice(i, i + batch),
    );
  }
  await db.query(`UPDATE search_grams SET common = 1 WHERE users > ${COMMON_GRAM_USERS}`);
  await db.query('DELETE g FROM user_search_grams g INNER JOIN search_grams s ON s.gram = g.gram WHERE s.common = 1');
  const [commonRows] = await db.query('SELECT gram FROM search_grams WHERE common = 1');
  const common = new Set((commonRows as { gram: string }[]).map((row) => row.gram));
  const postings = new Map<string, number[]>();
  for (let n = 1; n <= users; n++) {
    for (const gram of gramsOfUser(n)) {
      if (!common.has(gram)) {
        let holders = postings.get(gram);
        if (!holders) {
          holders = [];
          postings.set(gram, holders);
        }
        holders.push(n);
      }
    }
  }
  // benchId's zero-padded hex keeps id order the order of n.
  let pending: unknown[][] = [];
  let posted = 0;
  for (const gram of [...postings.keys()].sort()) {
    for (const n of postings.get(gram)!) {
      pending.push([gram, benchId(1, n)]);
      if (pending.length === batch) {
        await insertRows(db, 'INSERT INTO user_search_grams (gram, user_id) VALUES ?', pending);
        posted += pending.length;
        pending = [];
      }
    }
  }
  await insertRows(db, 'INSERT INTO user_search_grams (gram, user_id) VALUES ?', pending);
  log(`  search trigrams: ${counts.size}, postings: ${posted + pending.length}`);
}

async function insertRows(db: Connection, sql: string, rows: unknown[][]): Promise<void> {
  if (rows.length) {
    await db.query(sql, [rows]);
  }
}

/**
 * Bulk-loads the benchmark data with multi-row INSERTs straight into the migrated schema: `users` users sharing one
 * pre-computed hash, one group holding the first `bigGroupMembers` of them, and a user in 50 groups with 200
 * resource-scoped assignments (plus a service client that may call /authz/check).
 */
export async function seed(
  db: Connection,
  options: { users: number; bigGroupMembers: number; passwordHash: string; password: string; log: (s: string) => void },
): Promise<Seeded> {
  const batch = 5000;
  await db.query('SET unique_checks = 0, foreign_key_checks = 0');
  const userSql =
    'INSERT INTO users (id, username, username_key, full_name, email, phone, department, search_text, gram_bloom, type, password_hash, created_at, updated_at) VALUES ?';
  for (let start = 1; start <= options.users; start += batch) {
    const rows: unknown[][] = [];
    for (let n = start; n < Math.min(start + batch, options.users + 1); n++) {
      rows.push(userRow(n, options.passwordHash));
    }
    await insertRows(db, userSql, rows);
    if ((start - 1) % 100_000 === 0) {
      options.log(`  users: ${start - 1}`);
    }
  }

  await seedSearchGrams(db, options.users, batch, options.log);

  const bigGroupId = benchId(2, 1);
  await db.query(
    'INSERT INTO user_groups (id, name, name_key, type, member_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [bigGroupId, 'Bench everyone', 'bench everyone', 'internal', options.bigGroupMembers, ts, ts],
  );
  const memberSql = 'INSERT INTO group_members (group_id, user_id, username_key, created_at) VALUES ?';
  for (let start = 1; start <= options.bigGroupMembers; start += batch) {
    const rows: unknown[][] = [];
    for (let n = start; n < Math.min(start + batch, options.bigGroupMembers + 1); n++) {
      rows.push([bigGroupId, benchId(1, n), nameKey(benchUsername(n)), ts]);
    }
    await insertRows(db, memberSql, rows);
  }

  // The authz subject: user 1, in 50 groups, each group holding 4 resource-scoped roles on its own resources.
  const authzUserId = benchId(1, 1);
  const scopedRoles = [
    PREDEFINED_ROLES.resourceManager,
    PREDEFINED_ROLES.resourceContributor,
    PREDEFINED_ROLES.resourceReviewer,
    PREDEFINED_ROLES.resourceLocksAdministrator,
  ];
  const groups: unknown[][] = [];
  const members: unknown[][] = [];
  const assignments: unknown[][] = [];
  const resources: unknown[][] = [];
  for (let g = 0; g < 50; g++) {
    const groupId = benchId(3, g);
    groups.push([groupId, `Bench team ${g}`, `bench team ${g}`, 'internal', 1, ts, ts]);
    members.push([groupId, authzUserId, nameKey(benchUsername(1)), ts]);
    scopedRoles.forEach((roleId, k) => {
      const resource = `project:${g * 4 + k}`;
      const assignmentId = benchId(4, g * 4 + k);
      assignments.push([
        assignmentId,
        roleId,
        'group',
        groupId,
        createHash('sha256').update(resource).digest('hex'),
        ts,
      ]);
      resources.push([assignmentId, resource]);
    });
  }
  await insertRows(
    db,
    'INSERT INTO user_groups (id, name, name_key, type, member_count, created_at, updated_at) VALUES ?',
    groups,
  );
  await insertRows(db, memberSql, members);

  const client = { username: 'bench-client', password: options.password };
  const clientId = benchId(5, 1);
  await db.query(
    'INSERT INTO users (id, username, username_key, search_text, type, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [
      clientId,
      client.username,
      client.username,
      searchText({ username: client.username, fullName: null, email: null }),
      'internal',
      options.passwordHash,
      ts,
      ts,
    ],
  );
  assignments.push([benchId(4, 10_000), PREDEFINED_ROLES.serviceClient, 'user', clientId, GLOBAL_SCOPE, ts]);
  await insertRows(
    db,
    'INSERT INTO role_assignments (id, role_id, principal_type, principal_id, scope_key, created_at) VALUES ?',
    assignments,
  );
  await insertRows(db, 'INSERT INTO assignment_resources (assignment_id, resource) VALUES ?', resources);
  await db.query('SET unique_checks = 1, foreign_key_checks = 1');
  await db.query('ANALYZE TABLE users, group_members, user_groups, role_assignments, assignment_resources');
  return {
    users: options.users,
    password: options.password,
    bigGroupId,
    bigGroupMembers: options.bigGroupMembers,
    authzUserId,
    client,
    authzGroups: 50,
    authzAssignments: assignments.length - 1,
  };
}
