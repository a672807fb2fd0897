import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import { dialectOf, type DialectKind } from './dialect.js';
import type { Database } from './schema.js';

/** A value a reusable query takes: it may only stand where SQL takes a value, never decide the shape. */
export type Value = string | number | null;

interface Template {
  sql: string;
  /** Per parameter of the compiled SQL: the index of the argument that fills it, or -1 for a constant. */
  slots: number[];
  constants: readonly unknown[];
}

/**
 * A query whose shape never changes, only its values: Kysely builds and compiles it once per dialect,
 * then each call runs the same SQL with the arguments put in place. For the statements every page
 * runs (the session, the ticket, its messages): building and compiling a query through Kysely costs
 * 20–80 µs of CPU, which is more than SQLite takes to answer most of them.
 *
 * `build` receives stand-ins for the arguments and must use each one only as a value (in a
 * comparison, a `values`, a `limit`): never in an `if`, never transformed (`String(x)`, `x + 1`),
 * never as a list. A stand-in that does not reach the compiled parameters is refused when the query
 * is first compiled, so a misuse fails loudly in the first test that runs it.
 */
export function reusable<A extends Value[], R>(build: (db: Kysely<Database>, ...args: A) => Compilable<R>) {
  const templates = new Map<DialectKind, Template>();
  return async function run(db: Kysely<Database>, ...args: A): Promise<R[]> {
    const dialect = dialectOf(db);
    let template = templates.get(dialect);
    if (!template) templates.set(dialect, template = compileOnce(db, build, args.length));
    return runTemplate<R>(db, template, args);
  };
}

/** A compiled template's SQL with `values` put in its slots. */
async function runTemplate<R>(db: Kysely<Database>, template: Template, values: readonly Value[]): Promise<R[]> {
  const parameters = template.slots.map((slot, i) => (slot < 0 ? template.constants[i] : values[slot]));
  const { rows } = await db.executeQuery<R>(CompiledQuery.raw(template.sql, parameters));
  return rows;
}

/** The first row of a reusable query, or undefined. */
export function reusableFirst<A extends Value[], R>(build: (db: Kysely<Database>, ...args: A) => Compilable<R>) {
  const run = reusable(build);
  return async (db: Kysely<Database>, ...args: A): Promise<R | undefined> => (await run(db, ...args))[0];
}

function compileOnce<A extends Value[]>(db: Kysely<Database>, build: (db: Kysely<Database>, ...args: A) => Compilable<unknown>, count: number): Template {
  const standIns = Array.from({ length: count }, (_, i) => `\u0001reusable argument ${i}\u0001`);
  const compiled = build(db, ...(standIns as A)).compile();
  const slots = compiled.parameters.map((p) => (typeof p === 'string' ? standIns.indexOf(p) : -1));
  const missing = standIns.findIndex((_, i) => !slots.includes(i));
  if (missing >= 0) throw new Error(`reusable query: argument ${missing} is not used as a value in ${compiled.sql}`);
  return { sql: compiled.sql, slots, constants: compiled.parameters };
}

/**
 * Queries built from many inputs whose SQL text follows only some of them (a list's filter, a scope's
 * kind), each shape built and compiled once: `shape` names everything the text depends on, `values`
 * the inputs that only stand where SQL takes a value (a person's id, a cursor's values). `build` gets
 * stand-ins in their place; a null value is passed as it is and counts in the shape (`x !== null`
 * may decide it). A stand-in that reaches the SQL text or is transformed on its way to a parameter
 * is refused when its shape is first compiled; one that is not used is fine (that shape needs no such
 * value). Nothing can tell a value that decided the shape (`if (id === 7)`): the shape must name it.
 * At most `limit` shapes are kept, the oldest dropped first.
 */
export function reusableShapes<R>(limit = 200) {
  const templates = new Map<string, Template>();
  return async function run(db: Kysely<Database>, shape: string, values: readonly Value[],
    build: (standIns: readonly Value[]) => Compilable<R>): Promise<R[]> {
    const key = `${dialectOf(db)} ${values.map((v) => (v === null ? '0' : '1')).join('')} ${shape}`;
    let template = templates.get(key);
    if (!template) {
      if (templates.size >= limit) templates.delete(templates.keys().next().value!);
      templates.set(key, template = compileShape(build, values));
    }
    return runTemplate<R>(db, template, values);
  };
}

function compileShape(build: (standIns: readonly Value[]) => Compilable<unknown>, values: readonly Value[]): Template {
  const standIns = values.map((v, i) => (v === null ? null : `\u0001reusable value ${i}\u0001`));
  const compiled = build(standIns).compile();
  const slots = compiled.parameters.map((p) => (typeof p === 'string' ? standIns.indexOf(p) : -1));
  const leaked = compiled.sql.includes('\u0001') || compiled.parameters.some((p, i) =>
    (typeof p === 'string' && p.includes('\u0001') && slots[i]! < 0) || (typeof p === 'number' && Number.isNaN(p)));
  if (leaked) throw new Error(`reusable query: a value was used as more than a value in ${compiled.sql}`);
  return { sql: compiled.sql, slots, constants: compiled.parameters };
}
