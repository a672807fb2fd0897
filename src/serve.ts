import { buildApp } from './app.js';
import { issueSetupToken } from './auth/auth.js';
import type { Config } from './config.js';
import { startCheckpointer } from './db/checkpointer.js';
import { startSearchMerging } from './search/merging.js';
import { openDatabase } from './db/open.js';
import { repairPausedSearchIndex } from './search/index.js';
import { startMailIn } from './mailin/service.js';
import { expireLeases } from './jobs/queries.js';
import { runningServerPid, writePidFile } from './ops/pidfile.js';

/** Start the process: open the database, build the app, listen, and close gracefully on SIGTERM. */
export async function startServer(config: Config): Promise<void> {
  const { db, snapshot } = await openDatabase(config);
  // Leases left by a process that died mid-job; another live server's leases are its own.
  const orphaned = runningServerPid(config.dataDir) === null ? await expireLeases(db) : 0;
  // Search triggers a killed bulk load left dropped (search/maintenance.ts): back before any write.
  const unpaused = await repairPausedSearchIndex(db);
  const app = await buildApp({ config, db, startWorker: true });
  if (unpaused.repaired) {
    app.log.warn({ triggers: unpaused.triggers, indexes: unpaused.indexes },
      'the search triggers and indexes a bulk load that did not finish had dropped are back, and the search index was rebuilt');
  }

  const setupToken = await issueSetupToken(db);
  if (orphaned) app.log.warn({ jobs: orphaned }, 'jobs in hand when the last process stopped are due again');
  if (snapshot) app.log.info({ snapshot }, 'database upgraded; the snapshot taken before is kept');
  // SQLite's WAL is copied back off the request path; PostgreSQL checkpoints by itself.
  const checkpointer = config.database.kind === 'sqlite' ? await startCheckpointer(db, config.database.path, app.log) : null;
  // FTS5's segments merged a little at a time between requests, never all at once inside a write.
  const merging = config.database.kind === 'sqlite' ? await startSearchMerging(db, app.log) : null;
  // The SMTP receiver first: once /healthz answers, everything the process offers is up.
  const mailIn = await startMailIn({ db, config, mail: app.mail }, app.log);
  await app.listen({ port: config.port, host: config.host });
  const removePidFile = writePidFile(config.dataDir);
  if (setupToken) {
    const link = `${config.baseUrl}/setup?token=${setupToken}`;
    app.log.info({ setup: true }, 'no admin yet: setup link printed on stdout');
    process.stdout.write(`\nDeskbell has no admin yet. Create the first one here (the link works once):\n  ${link}\n\n`);
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing requests, stopping the worker');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    try {
      await mailIn.close();
      await app.close();
      merging?.stop();
      await checkpointer?.stop();
      await db.destroy();
      removePidFile();
      clearTimeout(force);
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
