import type { Db } from '../db/connect.js';
import type { Translate } from '../i18n.js';
import { getNumberSetting } from '../settings/settings.js';
import { formatAddress, type MailContext } from './context.js';
import type { OutgoingMail } from './outbox.js';

export interface Brand {
  from_name: string;
  from_address: string;
  portal_title: string;
}

export interface MailSpec {
  to: { email: string; locale: string };
  /** The ticket's brand; the desk's default brand when absent. */
  brandId?: number | null;
  /** `emails/<name>`: rendered as `<name>-text` and `<name>-html`. */
  template: string;
  subject: (t: Translate, brand: Brand) => string;
  data: Record<string, unknown>;
}

/**
 * One automatic mail from the catalogue and views/emails/, in the recipient's language, sent as the
 * brand. The caller queues it (queueMail), in its own transaction.
 */
export async function composeMail(db: Db, mail: MailContext, spec: MailSpec): Promise<OutgoingMail> {
  const brandId = spec.brandId ?? await getNumberSetting(db, 'default_brand_id');
  const brand = await db.selectFrom('brands').select(['from_name', 'from_address', 'portal_title'])
    .where('id', '=', brandId ?? -1).executeTakeFirstOrThrow();
  const t = mail.translator(spec.to.locale);
  const data = { ...spec.data, t, brand };
  return {
    from: formatAddress({ name: brand.from_name, address: brand.from_address }),
    to: [spec.to.email],
    subject: spec.subject(t, brand).replace(/[\r\n]+/g, ' '),
    text: await mail.render(`${spec.template}-text`, data),
    html: await mail.render(`${spec.template}-html`, data),
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}
