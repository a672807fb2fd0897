/** A piece of work that may start once the named others are done. */
export interface Job<W> {
  name: string;
  after: string[];
  run: (worker: W) => Promise<void>;
}

/**
 * Run jobs on a few workers (connections), each job as soon as a worker is free and what it waits
 * for is done, in the given order otherwise: tables that do not reference each other are copied at
 * the same time (the database server works on several cores). After a failure no job starts; the
 * running ones finish, then the first error is thrown.
 */
export async function runJobs<W>(jobs: Job<W>[], workers: W[]): Promise<void> {
  const pending = [...jobs];
  const done = new Set<string>();
  const running = new Map<string, Promise<void>>();
  let failed: unknown = null;
  const known = new Set(jobs.map((j) => j.name));
  const ready = (job: Job<W>) => job.after.every((name) => done.has(name) || !known.has(name));

  const work = async (worker: W): Promise<void> => {
    while (failed === null && pending.length > 0) {
      const at = pending.findIndex(ready);
      if (at < 0) {
        if (running.size === 0) throw new Error(`nothing can start: ${pending.map((j) => j.name).join(', ')} wait for each other`);
        // Everything left waits for a job another worker runs.
        await Promise.race([...running.values()].map((p) => p.catch(() => undefined)));
        continue;
      }
      const [job] = pending.splice(at, 1);
      const run = job!.run(worker);
      running.set(job!.name, run);
      try {
        await run;
        done.add(job!.name);
      } catch (error) {
        failed ??= error;
      } finally {
        running.delete(job!.name);
      }
    }
  };
  await Promise.all(workers.map(work));
  if (failed !== null) throw failed;
}
