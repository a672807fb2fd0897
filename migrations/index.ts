import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_list_indexes.js';
import * as m0003 from './0003_event_field.js';
import * as m0004 from './0004_audit_log.js';
import * as m0013 from './0013_brand_colour.js';
import * as m0015 from './0015_mail_log.js';
import * as m0016 from './0016_mailin.js';
import * as m0017 from './0017_fleet.js';
import * as m0018 from './0018_chat_marks.js';
import * as m0019 from './0019_search.js';
import * as m0020 from './0020_saved_views.js';
import * as m0021 from './0021_dashboard_indexes.js';
import * as m0022 from './0022_requester_status_index.js';
import * as m0023 from './0023_login_locks.js';
import * as m0024 from './0024_events.js';
import * as m0025 from './0025_trigram_indexes.js';
import * as m0026 from './0026_ui_prefs.js';
import * as m0027 from './0027_conversation_order.js';
import * as m0028 from './0028_message_words.js';
import * as m0029 from './0029_tags.js';
import * as m0030 from './0030_signatures.js';
import * as m0031 from './0031_search_trigger_plans.js';
import * as m0032 from './0032_macros.js';
import * as m0033 from './0033_ticket_links.js';
import * as m0034 from './0034_snooze_bin.js';
import * as m0035 from './0035_two_factor.js';
import * as m0036 from './0036_sla.js';
import * as m0037 from './0037_mail_complaints.js';
import * as m0038 from './0038_api.js';
import * as m0039 from './0039_webhooks.js';
import * as m0040 from './0040_help_center.js';
import * as m0041 from './0041_rules.js';
import * as m0042 from './0042_reports.js';
import * as m0043 from './0043_passkeys_sso.js';
import * as m0044 from './0044_macro_attachments.js';
import * as m0045 from './0045_import.js';
import * as m0046 from './0046_help_brands.js';
import * as m0049 from './0049_mail_quoted.js';
import * as m0050 from './0050_organization_status_index.js';
import * as m0052 from './0052_report_days.js';
import * as m0053 from './0053_busy_queue_indexes.js';
import * as m0054 from './0054_portal_search.js';
import * as m0056 from './0056_report_backlog_blocks.js';
import * as m0057 from './0057_config_marker.js';

// A static list, not a directory read at run time: the single executable bundles these modules.
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_list_indexes': m0002,
  '0003_event_field': m0003,
  '0004_audit_log': m0004,
  '0013_brand_colour': m0013,
  '0015_mail_log': m0015,
  '0016_mailin': m0016,
  '0017_fleet': m0017,
  '0018_chat_marks': m0018,
  '0019_search': m0019,
  '0020_saved_views': m0020,
  '0021_dashboard_indexes': m0021,
  '0022_requester_status_index': m0022,
  '0023_login_locks': m0023,
  '0024_events': m0024,
  '0025_trigram_indexes': m0025,
  '0026_ui_prefs': m0026,
  '0027_conversation_order': m0027,
  '0028_message_words': m0028,
  '0029_tags': m0029,
  '0030_signatures': m0030,
  '0031_search_trigger_plans': m0031,
  '0032_macros': m0032,
  '0033_ticket_links': m0033,
  '0034_snooze_bin': m0034,
  '0035_two_factor': m0035,
  '0036_sla': m0036,
  '0037_mail_complaints': m0037,
  '0038_api': m0038,
  '0039_webhooks': m0039,
  '0040_help_center': m0040,
  '0041_rules': m0041,
  '0042_reports': m0042,
  '0043_passkeys_sso': m0043,
  '0044_macro_attachments': m0044,
  '0045_import': m0045,
  '0046_help_brands': m0046,
  '0049_mail_quoted': m0049,
  '0050_organization_status_index': m0050,
  '0052_report_days': m0052,
  '0053_busy_queue_indexes': m0053,
  '0054_portal_search': m0054,
  '0056_report_backlog_blocks': m0056,
  '0057_config_marker': m0057,
};
