// Every kind of domain event the code can write, read from the one place that lists them: the
// `EventKind` type of src/events/record.ts. `recordEvent` and `recordEventForAll` take only that
// type, so a new kind written anywhere in src must be added there (or `npm run typecheck` fails),
// and then appears here: a test that compares with this list fails until it produces the new kind.
import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../reliability/desk.js';

export const RECORD_FILE = join(ROOT, 'src/events/record.ts');

/** The string literals of `EventKind`, with the aliases it names resolved by the type checker. */
export function eventKinds(file = RECORD_FILE): string[] {
  // The one file, no imports followed: the alias is plain string literals and aliases of the same file.
  const program = ts.createProgram([file], { noResolve: true, noLib: true, types: [] });
  const checker = program.getTypeChecker();
  const alias = program.getSourceFile(file)?.statements
    .find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'EventKind');
  if (!alias) throw new Error(`no type EventKind in ${file}`);
  const type = checker.getTypeAtLocation(alias.name);
  const kinds = (type.isUnion() ? type.types : [type]).map((part) => {
    if (!part.isStringLiteral()) throw new Error(`EventKind has a part that is not one kind: ${checker.typeToString(part)}`);
    return part.value;
  });
  return kinds.sort();
}
