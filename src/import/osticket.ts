import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Translate } from '../i18n.js';
import { csvRows } from './csv.js';
import { emailOf, emptyExport, isoTime, nameOf, priorityOf, RowError, statusCategory, textOf, type SourceExport, type SourcePerson } from './model.js';

/**
 * osTicket's CSV ticket export (Agent Panel › Tickets › Export), with the columns its export picker
 * names by default: "Ticket Number", "Date Created", "Subject", "From", "From Email", "Priority",
 * "Department", "Help Topic", "Source", "Current Status", ... The export holds each ticket's details
 * only, not its conversation: each ticket gets one internal note that says so and keeps the other
 * columns (department, help topic, agent, thread count) for the record.
 */

const REQUIRED = ['Ticket Number', 'Date Created', 'Subject', 'From Email'];
/** Columns that become ticket properties, not lines of the note. */
const USED = new Set(['Ticket Number', 'Date Created', 'Subject', 'From', 'From Email', 'Priority', 'Current Status']);

export async function readOsTicket(paths: string[], t: Translate): Promise<SourceExport> {
  const data = emptyExport('osticket');
  const people = new Map<string, SourcePerson>();
  for (const path of paths) {
    const { header, rows } = await csvRows(await readFile(path, 'utf8'));
    const missing = REQUIRED.filter((column) => !header.includes(column));
    if (missing.length > 0) throw new Error(`${basename(path)}: not an osTicket ticket export (no ${missing.join(', ')} column)`);
    for (const { line, values } of rows) {
      const number = textOf(values['Ticket Number']).trim();
      try {
        if (!number) throw new RowError('no Ticket Number');
        const email = emailOf(values['From Email']);
        const createdAt = isoTime(values['Date Created'], 'Date Created');
        const details = header.filter((column) => !USED.has(column) && textOf(values[column]).trim()).map((column) => `${column}: ${textOf(values[column]).trim()}`);
        data.tickets.push({
          id: number, subject: textOf(values.Subject).trim(), status: statusCategory(values['Current Status'] || 'open'), priority: priorityOf(values.Priority),
          requesterId: email, createdAt,
          messages: [{ id: `${number}-details`, authorId: email, public: false, text: [t('import.osticket.note', { number }), '', ...details].join('\n'), html: null, createdAt, files: [] }],
        });
        if (!people.has(email)) people.set(email, { id: email, email, name: nameOf(values.From, email), staff: false, organizationId: null });
      } catch (error) {
        if (!(error instanceof RowError)) throw error;
        data.problems.push({ kind: 'ticket', id: number || `${basename(path)} line ${line}`, reason: error.message });
      }
    }
  }
  data.people = [...people.values()];
  return data;
}
