import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RowProblem } from './model.js';

export type JsonObject = Record<string, unknown>;

/**
 * The objects of a JSON export file, whichever way the product wrote it: one JSON document (an
 * array, or an object whose arrays are named by what they hold, as `{"tickets": [...]}`), or
 * newline-delimited JSON (one object a line, as Zendesk's JSON export and incremental exports write).
 * The key of a document's list says what its records are. A line that is not JSON is a problem, not the end.
 */
export async function jsonObjects(path: string, problems: RowProblem[]): Promise<{ key: string | null; object: JsonObject }[]> {
  const text = await readFile(path, 'utf8');
  const found: { key: string | null; object: JsonObject }[] = [];
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined;
  }
  if (Array.isArray(whole)) return whole.filter(isObject).map((object) => ({ key: null, object }));
  if (isObject(whole)) {
    // One record (an NDJSON file of one line) has an id; a document holds lists of records.
    const lists = 'id' in whole ? [] : Object.entries(whole).filter(([, value]) => Array.isArray(value));
    if (lists.length === 0) return [{ key: null, object: whole }];
    for (const [key, list] of lists) for (const object of (list as unknown[]).filter(isObject)) found.push({ key, object });
    return found;
  }
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const object = JSON.parse(line) as unknown;
      if (isObject(object)) found.push({ key: null, object });
    } catch {
      problems.push({ kind: 'ticket', id: `${basename(path)} line ${i + 1}`, reason: 'the line is not JSON' });
    }
  });
  return found;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function listOf(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}
