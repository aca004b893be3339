import { InitialSchema1764331200000 } from './1764331200000-initial-schema';
import { Directories1764600000000 } from './1764600000000-directories';
import { UserSearchIndex1764700000000 } from './1764700000000-user-search-index';
import { GroupMemberCount1764800000000 } from './1764800000000-group-member-count';
import { AuthzEpoch1764900000000 } from './1764900000000-authz-epoch';
import { RefreshTokenParent1765000000000 } from './1765000000000-refresh-token-parent';
import { UserSearchGrams1765100000000 } from './1765100000000-user-search-grams';

/** Every migration, in order. Listed explicitly so the same list runs from ts-jest, the built app and the CLI. */
export const migrations = [
  InitialSchema1764331200000,
  Directories1764600000000,
  UserSearchIndex1764700000000,
  GroupMemberCount1764800000000,
  AuthzEpoch1764900000000,
  RefreshTokenParent1765000000000,
  UserSearchGrams1765100000000,
];
