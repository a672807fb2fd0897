import { Eta } from 'eta';
import { assets } from '../assets.js';
import type { Config } from '../config.js';
import type { Catalogue, Translate } from '../i18n.js';
import { formatTime } from '../lib/format.js';

/**
 * What a verb needs to write a mail: links point at BASE_URL, texts come from the catalogue in the
 * recipient's language, bodies from views/emails/. Passed in explicitly, like the database.
 */
export interface MailContext {
  baseUrl: string;
  translator(locale: string): Translate;
  render(view: string, data: Record<string, unknown>): Promise<string>;
  /** What ticket mail is signed and threaded with (reply tokens, rating links), and where its files are. */
  notify: { secretKey: string; mailDomain: string; uploadsDir: string };
}

export interface Sender {
  name: string;
  address: string;
}

/** `"Name" <address>` with the name's quotes and line breaks removed (no header injection). */
export function formatAddress(sender: Sender): string {
  const name = sender.name.replace(/["\\\r\n]/g, '').trim();
  return name ? `"${name}" <${sender.address}>` : sender.address;
}

/** Mail bodies: `*-html` views are escaped as HTML; `*-text` views are plain text and must not be. */
export function createMailContext(config: Config, catalogue: Catalogue): MailContext {
  const production = !config.development;
  const html = new Eta({ views: assets.views, cache: production, autoEscape: true });
  const text = new Eta({ views: assets.views, cache: production, autoEscape: false, autoTrim: false });
  return {
    baseUrl: config.baseUrl,
    notify: { secretKey: config.secretKey, mailDomain: config.mailDomain, uploadsDir: config.uploadsDir },
    translator: (locale) => catalogue.translator(locale),
    // Times in a mail are in UTC (mail has no viewer's zone), written the way the recipient's language writes them.
    render: async (view, data) => (view.endsWith('-text') ? text : html).renderAsync(`/${view}`, {
      time: (iso: string | null) => formatTime(iso, 'UTC', (data.t as Translate | undefined)?.locale), ...data,
    }),
  };
}
