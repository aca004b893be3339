export type PermissionScope = 'global' | 'global_or_resource';

export interface PermissionDefinition {
  key: string;
  description: string;
  scope: PermissionScope;
}

/** The permission catalogue: fixed in code, mirrored by the predefined roles that the migrations seed. */
export const PERMISSIONS = [
  { key: 'users.create', description: 'Create users', scope: 'global' },
  {
    key: 'users.edit',
    description: "Edit user properties and reset other users' passwords",
    scope: 'global',
  },
  { key: 'users.list', description: 'List all users', scope: 'global' },
  { key: 'users.remove', description: 'Remove users', scope: 'global' },
  {
    key: 'groups.manage',
    description: 'Manage user groups and their members',
    scope: 'global',
  },
  {
    key: 'permissions.manage',
    description: 'Assign roles and set their scopes',
    scope: 'global',
  },
  {
    key: 'roles.manage',
    description: 'Manage custom security roles',
    scope: 'global',
  },
  {
    key: 'server.configure',
    description: 'Configure the server and its directories',
    scope: 'global',
  },
  { key: 'audit.read', description: 'Read the audit trail', scope: 'global' },
  {
    key: 'tokens.introspect',
    description: 'Introspect access tokens (RFC 7662)',
    scope: 'global',
  },
  {
    key: 'authz.check',
    description: "Check other users' permissions",
    scope: 'global',
  },
  {
    key: 'resources.read',
    description: 'Read resources',
    scope: 'global_or_resource',
  },
  {
    key: 'resources.edit',
    description: 'Edit resources',
    scope: 'global_or_resource',
  },
  {
    key: 'resources.edit-properties',
    description: 'Edit resource properties',
    scope: 'global_or_resource',
  },
  {
    key: 'resources.remove',
    description: 'Remove resources',
    scope: 'global_or_resource',
  },
  {
    key: 'resources.create',
    description: 'Create resources',
    scope: 'global_or_resource',
  },
  {
    key: 'resources.categorize',
    description: 'Categorize resources',
    scope: 'global_or_resource',
  },
  {
    key: 'resources.list',
    description: 'List all resources',
    scope: 'global_or_resource',
  },
  {
    key: 'resources.release-locks',
    description: 'Release resource locks',
    scope: 'global_or_resource',
  },
  {
    key: 'resources.administer',
    description: 'Administer resources',
    scope: 'global_or_resource',
  },
  {
    key: 'resources.manage-access',
    description: 'Manage owned resource access rights',
    scope: 'global_or_resource',
  },
  {
    key: 'resources.manage-model-permissions',
    description: 'Manage model permissions',
    scope: 'global_or_resource',
  },
] as const satisfies readonly PermissionDefinition[];

export type Permission = (typeof PERMISSIONS)[number]['key'];

/** Ids of the predefined roles seeded by the initial migration. */
export const PREDEFINED_ROLES = {
  userManager: '00000000-0000-4000-8000-000000000001',
  securityManager: '00000000-0000-4000-8000-000000000002',
  serverAdministrator: '00000000-0000-4000-8000-000000000003',
  resourceCreator: '00000000-0000-4000-8000-000000000004',
  resourceManager: '00000000-0000-4000-8000-000000000005',
  resourceContributor: '00000000-0000-4000-8000-000000000006',
  resourceReviewer: '00000000-0000-4000-8000-000000000007',
  resourceLocksAdministrator: '00000000-0000-4000-8000-000000000008',
  serviceClient: '00000000-0000-4000-8000-000000000009',
} as const;

/** The scope key of a global assignment. */
export const GLOBAL_SCOPE = '*';
