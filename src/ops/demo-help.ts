import type { Db } from '../db/connect.js';
import { renderArticle } from '../help/text.js';
import { COMMON_TERM, pick, type Random } from './demo-text.js';

/**
 * The demo's help center (issue 23): categories and sections in English and German, and about one
 * article per 200 tickets (5,000 at a million; a few dozen at least), mostly published and public,
 * some internal, some drafts, the most read ones read far more (view counts on a rough Zipf curve).
 * The common search word appears in a good share of them, so suggestions for it have work to do.
 */
export const demoArticleCount = (tickets: number): number => Math.max(36, Math.min(5000, Math.round(tickets / 200)));

const CATEGORIES: [string, string, [string, string][]][] = [
  ['Your account', 'Ihr Konto', [['Signing in', 'Anmelden'], ['Passwords', 'Passwörter'], ['Profile', 'Profil'], ['Team members', 'Teammitglieder']]],
  ['Billing', 'Abrechnung', [['Invoices', 'Rechnungen'], ['Payments', 'Zahlungen'], ['Refunds', 'Erstattungen'], ['VAT', 'Umsatzsteuer']]],
  ['Devices', 'Geräte', [['Printers', 'Drucker'], ['Laptops', 'Laptops'], ['Scanners', 'Scanner'], ['Docking stations', 'Dockingstationen']]],
  ['Apps', 'Anwendungen', [['Mobile app', 'Mobile App'], ['Web portal', 'Webportal'], ['Outlook', 'Outlook'], ['Calendar', 'Kalender']]],
  ['Network', 'Netzwerk', [['VPN', 'VPN'], ['Wi-Fi', 'WLAN'], ['Shared drive', 'Netzlaufwerk'], ['Remote work', 'Homeoffice']]],
  ['Orders', 'Bestellungen', [['New hardware', 'Neue Hardware'], ['Delivery', 'Lieferung'], ['Returns', 'Rücksendungen'], ['Repairs', 'Reparaturen']]],
];
const THINGS = ['the mobile app', 'the web portal', 'the invoice module', 'the VPN client', 'the printer', 'Outlook', 'the booking calendar',
  'the CSV export', 'the payment page', 'the scanner', 'the shared drive', 'the time sheet', 'the laptop dock', 'your account'];
const TITLES = ['How to set up {thing}', 'What to do when {thing} is slow', 'Fix: {thing} shows an error', 'Reset your password for {thing}',
  'Getting started with {thing}', '{thing}: common questions', 'Why {thing} logs you out', 'Update {thing} to the latest version',
  'Share {thing} with a colleague', 'Troubleshooting {thing}'];
const STEPS = ['Open {thing} and sign in with your work address.', 'Choose **Settings**, then **Account**.', 'Restart {thing} and try again.',
  'Check that you are connected to the office network or the VPN.', 'Clear the browser cache and reload the page.',
  'If it still fails, note the error code and submit a ticket.', 'Ask your administrator to check your access rights.',
  'Install the latest update from the download page.', 'Sign out everywhere, then sign in again.'];
const INTROS = ['This article explains what to do, step by step.', 'Most problems with {thing} are solved in a few minutes.',
  'Read this before you submit a ticket.', 'These steps work on Windows, macOS and in the browser.'];

const fill = (text: string, thing: string) => text.replaceAll('{thing}', thing).replace(/^./, (c) => c.toUpperCase());

function article(random: Random): { title: string; body: string } {
  const thing = pick(random, THINGS);
  const title = fill(pick(random, TITLES), thing);
  const steps = Array.from({ length: 3 + Math.floor(random() * 4) }, (_, i) => `${i + 1}. ${fill(pick(random, STEPS), thing)}`);
  const password = random() < 0.3 ? `\n\nForgot your ${COMMON_TERM}? Use **Forgot ${COMMON_TERM}** on the sign-in page: the link comes by mail.` : '';
  return { title, body: `${fill(pick(random, INTROS), thing)}\n\n## Steps\n\n${steps.join('\n')}${password}` };
}

const texts = (en: string, de: string) => JSON.stringify({ en: { name: en, description: '' }, de: { name: de, description: '' } });

/** Write the demo's help center through `db` (after the tickets), in batches of one transaction each. */
export async function insertHelpCenter(db: Db, random: Random, plan: { tickets: number; now: number; authorId: number | null }): Promise<number> {
  const at = new Date(plan.now).toISOString();
  const sections: number[] = [];
  await db.transaction().execute(async (trx) => {
    for (const [position, [en, de, children]] of CATEGORIES.entries()) {
      const category = await trx.insertInto('help_categories').values({ position, texts: texts(en, de), created_at: at, updated_at: at })
        .returning('id').executeTakeFirstOrThrow();
      const rows = await trx.insertInto('help_sections').values(children.map(([sectionEn, sectionDe], i) => ({
        category_id: category.id, position: i, texts: texts(sectionEn, sectionDe), created_at: at, updated_at: at,
      }))).returning('id').execute();
      sections.push(...rows.map((row) => row.id));
    }
  });
  const total = demoArticleCount(plan.tickets);
  for (let done = 0; done < total;) {
    const batch = Math.min(500, total - done);
    // One in twenty a draft, one in twenty internal: even the smallest demo has both.
    const planned = Array.from({ length: batch }, (_, i) => ({
      ...article(random), section: pick(random, sections), views: Math.floor(5000 * random() ** 8),
      state: (done + i) % 20 === 7 ? 'draft' : 'published', visibility: (done + i) % 20 === 17 ? 'internal' : 'public',
    }));
    await db.transaction().execute(async (trx) => {
      const ids = await trx.insertInto('help_articles').values(planned.map((a, i) => ({
        section_id: a.section, visibility: a.visibility, state: a.state, author_id: plan.authorId, position: done + i, view_count: a.views,
        created_at: at, updated_at: at, published_at: a.state === 'published' ? at : null,
      }))).returning('id').execute();
      // Numbered in the order of the rows (RETURNING itself promises no order).
      ids.sort((a, b) => a.id - b.id);
      await trx.insertInto('help_article_texts').values(planned.map((a, i) => {
        const { html, text } = renderArticle(a.body);
        return { article_id: ids[i]!.id, locale: 'en', title: a.title, body: a.body, body_html: html, body_text: text, updated_at: at, updated_by: plan.authorId };
      })).execute();
      await trx.insertInto('help_revisions').values(planned.map((a, i) => ({
        article_id: ids[i]!.id, locale: 'en', title: a.title, body: a.body, author_id: plan.authorId, restored_from: null, created_at: at,
      }))).execute();
    });
    done += batch;
  }
  return total;
}
