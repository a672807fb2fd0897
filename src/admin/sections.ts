/** The admin area's sections, in menu order: one place, so the menu and the index never disagree. */
export const ADMIN_SECTIONS = [
  { path: '/admin/statuses', key: 'statuses' },
  { path: '/admin/types', key: 'types' },
  { path: '/admin/fields', key: 'fields' },
  { path: '/admin/users', key: 'users' },
  { path: '/admin/organizations', key: 'organizations' },
  { path: '/admin/groups', key: 'groups' },
  { path: '/admin/tags', key: 'tags' },
  { path: '/admin/brands', key: 'brands' },
  { path: '/admin/services', key: 'services' },
  { path: '/admin/settings', key: 'settings' },
  { path: '/admin/texts', key: 'texts' },
  { path: '/admin/mail', key: 'mail' },
  { path: '/admin/outbox', key: 'outbox' },
  { path: '/admin/audit', key: 'audit' },
  { path: '/admin/sla', key: 'sla' },
  { path: '/admin/bin', key: 'bin' },
] as const;
