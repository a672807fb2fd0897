import { storeFiles } from '../attachments/uploads.js';
import { loadMailAttachmentPolicy, type AttachmentPolicy } from '../attachments/sniff.js';
import { removeStoredFiles } from '../attachments/store.js';
import type { Db, Trx } from '../db/connect.js';
import type { StatusCategory } from '../db/schema.js';
import type { Translate } from '../i18n.js';
import { addMessage, createTicket } from '../kernel/index.js';
import { htmlToText, sanitizeMailHtml, textToHtml } from '../mailin/content.js';
import { sideOf } from '../policy/can.js';
import { getNumberSetting } from '../settings/settings.js';
import { defaultStatusId } from '../tickets/queries.js';
import { toActor, type Actor } from '../users/actor.js';
import { readSourceFile } from './files.js';
import { RowError, type SourceMessage, type SourceTicket } from './model.js';
import { findImported, importedIds, recordImported } from './records.js';
import type { Run } from './run.js';

/** What every ticket of a run is made with: the desk's default type and brand, a status per category. */
export interface Desk {
  typeId: number;
  brandId: number;
  statuses: Map<StatusCategory, number>;
  policy: AttachmentPolicy;
  t: Translate;
  messages: Map<string, number>;
}

export async function readDesk(db: Db, run: Run, t: Translate): Promise<Desk> {
  const typeId = await getNumberSetting(db, 'default_type_id');
  const brandId = await getNumberSetting(db, 'default_brand_id');
  if (typeId === null || brandId === null) throw new Error('the desk has no default ticket type or brand: run the setup first');
  const statuses = new Map<StatusCategory, number>();
  const open = await defaultStatusId(db, 'open');
  if (!open) throw new Error('the desk has no "open" status');
  for (const category of ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const) {
    // A category the workflow does not have (pending, on hold are optional) is read as open.
    statuses.set(category, (await defaultStatusId(db, category)) ?? open);
  }
  return { typeId, brandId, statuses, policy: await loadMailAttachmentPolicy(db), t, messages: await importedIds(db, run.source, 'message') };
}

interface Planned { message: SourceMessage; author: number }
interface Note { id: string; reason: string }

/**
 * One ticket of an export with its messages and their files, in one transaction, through the
 * kernel's door (channel `import`, the original times kept). A ticket imported before gets only the
 * messages it does not have yet. A message whose author is unknown is reported and left out.
 */
export async function importTicket(run: Run, desk: Desk, ticket: SourceTicket): Promise<void> {
  const { db, source } = run;
  const existing = await findImported(db, source, 'ticket', ticket.id);
  const requester = run.local('person', ticket.requesterId);
  if (existing === undefined && requester === undefined) return run.fail('tickets', 'ticket', ticket.id, `its requester ${ticket.requesterId} is not in the export`);
  const planned: Planned[] = [];
  for (const message of [...ticket.messages].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
    if (desk.messages.has(message.id)) { run.skip('messages', 'message', message.id, desk.messages.get(message.id)!); continue; }
    const author = run.local('person', message.authorId);
    if (author === undefined) { run.fail('messages', `ticket ${ticket.id}, message`, message.id, `its author ${message.authorId} is not in the export`); continue; }
    if (!message.text.trim() && !message.html?.trim() && message.files.length === 0) { run.fail('messages', `ticket ${ticket.id}, message`, message.id, 'it is empty'); continue; }
    planned.push({ message, author });
  }
  if (existing !== undefined) run.skip('tickets', 'ticket', ticket.id, existing);
  else if (planned.length === 0) return run.fail('tickets', 'ticket', ticket.id, 'it has no message to import');
  if (run.dryRun) {
    if (existing === undefined) run.create('tickets', 'ticket', ticket.id, -1);
    for (const { message } of planned) {
      run.create('messages', 'message', message.id, -1);
      for (const file of message.files) {
        if (file.missing) { run.leaveOut('attachments', `ticket ${ticket.id}, file`, file.id, file.missing); continue; }
        try { await readSourceFile(file); run.counts.attachments.created++; } catch (error) { run.fail('attachments', `ticket ${ticket.id}, file`, file.id, reasonOf(error)); }
      }
    }
    return;
  }
  if (planned.length === 0) return;
  const stored: string[] = [];
  const made: { kind: 'ticket' | 'message' | 'attachment'; id: string; local: number }[] = [];
  const refused: Note[] = [];
  const leftOut: Note[] = [];
  try {
    await db.transaction().execute(async (trx) => {
      let ticketId = existing;
      for (const { message, author } of planned) {
        const actor = await actorOf(trx, author);
        const files = await filesOf(run, desk, trx, message, author, stored, refused, leftOut);
        const content = { ...bodyOf(message), via: 'api' as const, uploadIds: files.map((f) => f.id) };
        const kind = message.public ? 'reply' as const : 'note' as const;
        let messageId: number;
        if (ticketId === undefined) {
          const person = await trx.selectFrom('users').select('organization_id').where('id', '=', requester!).executeTakeFirstOrThrow();
          const created = await createTicket(trx, actor, {
            channel: 'import', subject: subjectOf(ticket), typeId: desk.typeId, brandId: desk.brandId, statusId: desk.statuses.get(ticket.status)!,
            priority: ticket.priority, visibility: 'public', requester: { id: requester!, organizationId: person.organization_id },
            groupId: null, at: ticket.createdAt, message: { kind, ...content },
          });
          ticketId = created.ticketId;
          messageId = created.messageId;
          made.push({ kind: 'ticket', id: ticket.id, local: ticketId });
          await recordImported(trx, source, 'ticket', ticket.id, ticketId);
        } else {
          messageId = await addMessage(trx, actor, ticketId, {
            kind, ...content, channel: 'import', at: message.createdAt, firstResponse: message.public && sideOf(actor) === 'staff',
          });
        }
        made.push({ kind: 'message', id: message.id, local: messageId });
        await recordImported(trx, source, 'message', message.id, messageId);
        for (const file of files) {
          made.push({ kind: 'attachment', id: file.sourceId, local: file.id });
          await recordImported(trx, source, 'attachment', file.sourceId, file.id);
        }
      }
    });
  } catch (error) {
    await removeStoredFiles(run.uploadsDir, stored);
    return run.fail('tickets', 'ticket', ticket.id, reasonOf(error));
  }
  for (const { id, reason } of refused) run.fail('attachments', `ticket ${ticket.id}, file`, id, reason);
  for (const { id, reason } of leftOut) run.leaveOut('attachments', `ticket ${ticket.id}, file`, id, reason);
  for (const row of made) {
    if (row.kind === 'message') desk.messages.set(row.id, row.local);
    run.create(row.kind === 'ticket' ? 'tickets' : row.kind === 'message' ? 'messages' : 'attachments', row.kind, row.id, row.local);
  }
}

/** A message's files stored as pending uploads of its author (bound by the kernel); a file that cannot be read or is refused is reported. */
async function filesOf(run: Run, desk: Desk, trx: Trx, message: SourceMessage, author: number, stored: string[], refused: Note[], leftOut: Note[]) {
  const kept: { id: number; sourceId: string }[] = [];
  for (const file of message.files) {
    if (await findImported(trx, run.source, 'attachment', file.id) !== undefined) { run.counts.attachments.skipped++; continue; }
    if (file.missing) { leftOut.push({ id: file.id, reason: file.missing }); continue; }
    try {
      const { uploads, rejected } = await storeFiles(trx, run.uploadsDir, author, [await readSourceFile(file)], desk.t, desk.policy);
      stored.push(...uploads.map((u) => u.storageKey));
      if (rejected[0]) refused.push({ id: file.id, reason: rejected[0].message });
      if (uploads[0]) kept.push({ id: uploads[0].id, sourceId: file.id });
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      refused.push({ id: file.id, reason: error.message });
    }
  }
  return kept;
}

async function actorOf(db: Db, id: number): Promise<Actor> {
  return toActor(await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
}

/** The stored body: the export's HTML sanitised as mail's is, or its text made into safe HTML. */
function bodyOf(message: SourceMessage): { bodyText: string; bodyHtml: string } {
  if (message.html?.trim()) {
    const html = sanitizeMailHtml(message.html);
    return { bodyText: message.text.trim() || htmlToText(html), bodyHtml: html };
  }
  return { bodyText: message.text, bodyHtml: textToHtml(message.text) };
}

function subjectOf(ticket: SourceTicket): string {
  const subject = ticket.subject.trim() || ticket.messages[0]?.text.trim().split('\n')[0]?.trim() || `#${ticket.id}`;
  return subject.slice(0, 200);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
