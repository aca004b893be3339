import { isGlobalOnlyPermission } from '../roles/scope';

/** One permission a user holds on one resource, through a resource-scoped assignment. */
export interface ScopedPermission {
  permission: string;
  resource: string;
}

/** What one user may do, as read at one authorization epoch. */
export interface UserAccess {
  enabled: boolean;
  /** Permissions held everywhere, from global assignments. */
  global: ReadonlySet<string>;
  /**
   * Per resource, the permissions held on it from resource-scoped assignments; null when the user holds too many
   * to keep in memory (then `allows` cannot tell, and the database is asked).
   */
  byResource: ReadonlyMap<string, ReadonlySet<string>> | null;
}

/**
 * Folds a user's grants into a `UserAccess`. A resource-scoped assignment of a mixed role grants only its
 * resource permissions, on its resources: its global-only permissions grant nothing.
 */
export function userAccess(
  enabled: boolean,
  global: readonly string[],
  scoped: readonly ScopedPermission[] | null,
): UserAccess {
  let byResource: Map<string, Set<string>> | null = null;
  if (scoped) {
    byResource = new Map();
    for (const { permission, resource } of scoped) {
      if (!isGlobalOnlyPermission(permission)) {
        let held = byResource.get(resource);
        if (!held) {
          held = new Set();
          byResource.set(resource, held);
        }
        held.add(permission);
      }
    }
  }
  return { enabled, global: new Set(global), byResource };
}

/**
 * May the user do `permission` (on `resource`)? Disabled users never may; without a resource only global
 * assignments count; a resource-scoped assignment grants only on its resources. Undefined when only the database
 * can tell (a resource check for a user whose scoped grants are not in memory).
 */
export function allows(access: UserAccess, permission: string, resource?: string | null): boolean | undefined {
  if (!access.enabled) {
    return false;
  }
  if (access.global.has(permission)) {
    return true;
  }
  if (resource === undefined || resource === null) {
    return false;
  }
  return access.byResource ? access.byResource.get(resource)?.has(permission) === true : undefined;
}

/** About how many entries a `UserAccess` holds, to bound the memory of a cache of them. */
export function accessSize(access: UserAccess): number {
  let size = 1 + access.global.size;
  for (const held of access.byResource?.values() ?? []) {
    size += held.size;
  }
  return size;
}
