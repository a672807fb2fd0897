import type { Db } from '../db/connect.js';
import { Catalogue } from '../i18n.js';
import { DomainError } from '../lib/errors.js';
import { loadSanitizer } from '../mailin/content.js';
import type { SourceExport } from './model.js';
import { importOrganization, importPerson } from './people.js';
import { Run } from './run.js';
import { importTicket, readDesk } from './tickets.js';

export interface WriteOptions {
  dryRun: boolean;
  uploadsDir: string;
  /** A row that failed: one line each. */
  error: (line: string) => void;
  /** A file the export names but does not hold: one line each. */
  note: (line: string) => void;
  /** Called after each row: how many of how many are done. */
  progress?: (done: number, total: number) => void;
}

/**
 * Write what a reader made of an export: organisations, then people, then tickets with their
 * messages and files. Every row on its own (its own transaction): one that fails is reported with
 * its id and reason, and the others go on. Rows the reader could not read are reported first.
 */
export async function writeExport(db: Db, data: SourceExport, options: WriteOptions): Promise<Run> {
  const run = new Run(db, data.source, options.dryRun, options.uploadsDir, { error: options.error, note: options.note });
  const t = new Catalogue().translator('en');
  // HTML bodies are sanitised as mail's are; the sanitiser is loaded when first needed.
  await loadSanitizer();
  for (const problem of data.problems) {
    run.fail(problem.kind === 'organization' ? 'organizations' : problem.kind === 'person' ? 'people' : problem.kind === 'ticket' ? 'tickets' : 'messages', problem.kind, problem.id, problem.reason);
  }
  const total = data.organizations.length + data.people.length + data.tickets.length;
  let done = 0;
  const step = () => options.progress?.(++done, total);
  const guarded = async (counted: 'organizations' | 'people' | 'tickets', what: string, id: string, write: () => Promise<void>) => {
    try {
      await write();
    } catch (error) {
      run.fail(counted, what, id, error instanceof DomainError ? t(error.message, error.params) : error instanceof Error ? error.message : String(error));
    }
    step();
  };
  for (const org of data.organizations) await guarded('organizations', 'organization', org.id, () => importOrganization(run, org));
  for (const person of data.people) await guarded('people', 'person', person.id, () => importPerson(run, person));
  const desk = await readDesk(db, run, t);
  for (const ticket of data.tickets) await guarded('tickets', 'ticket', ticket.id, () => importTicket(run, desk, ticket));
  return run;
}
