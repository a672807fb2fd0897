import { access } from 'node:fs/promises';
import type { Config } from '../config.js';
import { openDatabase } from '../db/open.js';
import { Catalogue } from '../i18n.js';
import { count, Progress } from '../ops/move/progress.js';
import { readDeskbellCsv } from './csv.js';
import { readFreshdesk } from './freshdesk.js';
import type { SourceExport } from './model.js';
import { readOsTicket } from './osticket.js';
import { COUNTED } from './run.js';
import type { ImportSource } from './schema.js';
import { writeExport } from './writer.js';
import { readZendesk } from './zendesk.js';

export const IMPORT_FORMATS: readonly ImportSource[] = ['zendesk', 'freshdesk', 'osticket', 'csv'];
const NAMES: Record<ImportSource, string> = { zendesk: 'Zendesk', freshdesk: 'Freshdesk', osticket: 'osTicket', csv: 'Deskbell CSV' };

export interface ImportIo {
  out: (text: string) => void;
  err: (text: string) => void;
  errTerminal?: { columns: number };
}

/**
 * `deskbell import FORMAT FILE... [--dry-run]`: read the export, write it (or, dry, count what would
 * be written), print what was made, skipped and failed. Rows that fail are printed on stderr with
 * their id and reason while the rest goes on; the exit code is 1 when any failed.
 */
export async function importCommand(format: ImportSource, files: string[], dryRun: boolean, config: Config, io: ImportIo): Promise<number> {
  for (const file of files) {
    if (!(await access(file).then(() => true, () => false))) {
      io.err(`deskbell: cannot read ${file}\n`);
      return 1;
    }
  }
  const data = await readExport(format, files);
  const { db } = await openDatabase(config);
  const progress = new Progress(io.err, io.errTerminal, 'import'.length);
  const total = data.organizations.length + data.people.length + data.tickets.length;
  try {
    progress.start('import', total);
    const started = Date.now();
    const run = await writeExport(db, data, {
      dryRun, uploadsDir: config.uploadsDir,
      error: (line) => progress.note(`error: ${line}`),
      note: (line) => progress.note(`left out: ${line}`),
      progress: (done) => {
        progress.update('import', done);
        if (!io.errTerminal && (done % 500 === 0 || done === total)) io.err(`import: ${count(done)} / ${count(total)} rows\n`);
      },
    });
    progress.forget('import');
    progress.end();
    io.out(`${NAMES[format]} import${dryRun ? ' (dry run: nothing was written)' : ''}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    io.out(`${''.padEnd(14)}${(dryRun ? 'would create' : 'created').padStart(13)}${'skipped'.padStart(9)}${'failed'.padStart(8)}\n`);
    for (const counted of COUNTED) {
      const c = run.counts[counted];
      io.out(`${counted.padEnd(14)}${count(c.created).padStart(13)}${count(c.skipped).padStart(9)}${count(c.failed).padStart(8)}\n`);
    }
    if (run.failed > 0) io.out(`${run.failed} row(s) failed: see the errors above. Fix them and run the import again: what was imported is skipped.\n`);
    return run.failed > 0 ? 1 : 0;
  } finally {
    await db.destroy();
  }
}

function readExport(format: ImportSource, files: string[]): Promise<SourceExport> {
  switch (format) {
    case 'zendesk': return readZendesk(files);
    case 'freshdesk': return readFreshdesk(files);
    case 'osticket': return readOsTicket(files, new Catalogue().translator('en'));
    case 'csv': return readDeskbellCsv(files);
  }
}
