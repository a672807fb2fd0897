import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import { availableTimeZones } from '../users/profile.js';

/**
 * Every setting an admin can change, in the order the settings page shows them. Stored as text in
 * the `settings` table; an absent row means the default (which is what the code reading it assumes).
 */
export type SettingKind = 'text' | 'url' | 'longtext' | 'number' | 'bool' | 'select' | 'days';

export interface Option { value: string; label: string }

export interface SettingDef {
  key: string;
  kind: SettingKind;
  /** The section of the page it appears in. */
  section: 'site' | 'portal' | 'tickets' | 'autoclose' | 'attachments';
  default: string;
  /** The environment variable that fixes this setting, and how the config carries its value. */
  env?: { name: string; value: (config: Config) => string };
  /** Bool shown the other way round from how it is stored (the stored '1' means "not allowed"). */
  inverted?: boolean;
  /** Numbers: bounds, and a display unit the stored value is divided by (bytes shown as MB). */
  min?: number;
  max?: number;
  scale?: number;
  /** Select: the choices (option labels may be catalogue keys when `labelKeys`). */
  options?: (db: Db) => Promise<Option[]>;
  labelKeys?: boolean;
  /** Text: the longest value, and an extra check returning an error key. */
  maxLength?: number;
  check?: (value: string) => string | null;
  markdown?: boolean;
}

const MB = 1024 * 1024;

export const SETTINGS: readonly SettingDef[] = [
  { key: 'site_name', kind: 'text', section: 'site', default: '', maxLength: 100 },
  {
    key: 'base_url', kind: 'url', section: 'site', default: '', maxLength: 300,
    env: { name: 'BASE_URL', value: (config) => config.baseUrl },
    check: (v) => (v === '' || /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(v) ? null : 'admin.settings.errors.url'),
  },
  {
    key: 'site_time_zone', kind: 'select', section: 'site', default: 'UTC',
    options: async () => availableTimeZones().map((z) => ({ value: z, label: z })),
  },
  {
    key: 'portal.default_type_id', kind: 'select', section: 'portal', default: '',
    options: async (db) => [
      { value: '', label: 'admin.settings.option.deskDefault' },
      ...(await db.selectFrom('ticket_types').select(['id', 'name']).where('retired_at', 'is', null)
        .where('customer_can_choose', '=', 1).orderBy('position').orderBy('name').execute())
        .map((type) => ({ value: String(type.id), label: type.name })),
    ],
  },
  { key: 'portal.service_required', kind: 'bool', section: 'portal', default: '0', inverted: true },
  {
    key: 'portal.closed_reply', kind: 'select', section: 'portal', default: 'refuse', labelKeys: true,
    options: async () => [
      { value: 'refuse', label: 'admin.settings.option.refuse' },
      { value: 'followup', label: 'admin.settings.option.followup' },
    ],
  },
  { key: 'portal.help_text', kind: 'longtext', section: 'portal', default: '', maxLength: 20_000, markdown: true },
  { key: 'open_on_first_view', kind: 'bool', section: 'tickets', default: '1' },
  { key: 'tags.managed', kind: 'bool', section: 'tickets', default: '0' },
  { key: 'rating.closes_ticket', kind: 'bool', section: 'tickets', default: '0' },
  { key: 'portal.tickets_per_hour', kind: 'number', section: 'portal', default: '20', min: 1, max: 1_000_000 },
  { key: 'chat.digest_minutes', kind: 'number', section: 'tickets', default: '5', min: 1, max: 1440 },
  { key: 'offers.expiry_hours', kind: 'number', section: 'tickets', default: '24', min: 1, max: 720 },
  { key: 'autoclose.solved_days', kind: 'days', section: 'autoclose', default: '0', min: 0, max: 3650 },
  { key: 'autoclose.pending_days', kind: 'days', section: 'autoclose', default: '0', min: 0, max: 3650 },
  { key: 'autoclose.pending_grace_days', kind: 'days', section: 'autoclose', default: '0', min: 0, max: 3650 },
  { key: 'attachments.max_total_bytes', kind: 'number', section: 'attachments', default: String(30 * MB), min: 1, max: 1024, scale: MB },
  {
    key: 'attachments.allowed_types', kind: 'text', section: 'attachments', default: 'jpg, png, pdf, zip', maxLength: 200,
    check: (v) => (typeList(v, FORM_TYPES) ? null : 'admin.settings.errors.types'),
  },
  // What mail may bring (issue 25.4): forwarded mails, text files and signatures as well, so that nothing sent is lost.
  {
    key: 'attachments.mail_types', kind: 'text', section: 'attachments', default: 'jpg, png, gif, webp, pdf, zip, txt, csv, log, eml, p7s', maxLength: 200,
    check: (v) => (typeList(v, [...FORM_TYPES, 'p7s']) ? null : 'admin.settings.errors.types'),
  },
  // Two-factor sign-in for every staff member (src/auth/two-factor.ts): those without it set it up at their next sign-in.
  { key: 'security.require_2fa', kind: 'bool', section: 'site', default: '0' },
  // The recycle bin (issue 20): deleted and spam tickets wait this long before the purge job removes them.
  { key: 'tickets.bin_days', kind: 'days', section: 'tickets', default: '30', min: 1, max: 3650 },
  // Webhooks (issue 22): deliveries to loopback, private and link-local addresses are refused unless this is on.
  {
    key: 'webhooks.allow_private', kind: 'bool', section: 'site', default: '0',
    env: { name: 'WEBHOOKS_ALLOW_PRIVATE', value: (config) => (config.webhooksAllowPrivate ? 'true' : 'false') },
  },
  // The help center (issue 23): readable without an account, or by signed-in customers and staff only.
  { key: 'help.public', kind: 'bool', section: 'portal', default: '0' },
];

/** The kinds a form upload may be allowed (attachments/sniff.ts); `jpeg` and `text` are aliases. */
const FORM_TYPES = ['jpg', 'jpeg', 'png', 'gif', 'webp', 'pdf', 'zip', 'txt', 'text', 'csv', 'log', 'eml'];

/** "jpg, .PNG; pdf": a list of known kinds, dots and case aside. */
function typeList(value: string, known: string[]): boolean {
  return value.split(/[\s,;]+/).filter(Boolean).every((s) => known.includes(s.replace(/^\./, '').toLowerCase()));
}

export const SECTIONS = ['site', 'portal', 'tickets', 'autoclose', 'attachments'] as const;

export function settingDef(key: string): SettingDef | undefined {
  return SETTINGS.find((def) => def.key === key);
}

/** The setting's form field name: dots are awkward in ids and CSS, so they become underscores. */
export function fieldName(def: SettingDef): string {
  return def.key.replace(/\./g, '__');
}

/** Whether the environment fixes this setting in this process. */
export function fixedByEnv(def: SettingDef, config: Config): boolean {
  return def.env !== undefined && config.envOverrides.includes(def.env.name);
}

/** The stored value as the form shows it (bytes as MB, inverted booleans turned round). */
export function toForm(def: SettingDef, stored: string): string {
  if (def.kind === 'bool') return (stored === '1') !== Boolean(def.inverted) ? '1' : '0';
  if (def.scale && stored !== '') return String(Math.round((Number(stored) / def.scale) * 100) / 100);
  return stored;
}
