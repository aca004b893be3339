export const IS_PUBLIC = 'roster:public';
export const IS_SELF_SERVICE = 'roster:self-service';
export const REQUIRED_PERMISSIONS = 'roster:permissions';

/** `all`: the caller needs every permission listed; `any`: one of them is enough. */
export interface PermissionRequirement {
  mode: 'all' | 'any';
  permissions: readonly string[];
}
