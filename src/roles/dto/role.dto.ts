/** A role: a named set of permissions. */
export class RoleDto {
  /** @example "00000000-0000-4000-8000-000000000001" */
  id!: string;
  /** @example "User Manager" */
  name!: string;
  /** @example "Creates and manages users and user groups." */
  description!: string | null;
  /** Predefined roles are read-only. @example true */
  predefined!: boolean;
  /** Permission keys, sorted. @example ["groups.manage", "users.create"] */
  permissions!: string[];
  /** True when every permission is global-only: such a role can only be assigned globally. @example true */
  globalOnly!: boolean;
  /** @example "2026-11-28T09:30:00.000Z" */
  createdAt!: string;
  /** @example "2026-11-28T09:30:00.000Z" */
  updatedAt!: string;
}
