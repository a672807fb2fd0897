import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { IntlMessageFormat } from 'intl-messageformat';

/**
 * Catalogue texts are ICU messages: `{name}` fills in a value, `{count, plural, one {# ticket}
 * other {# tickets}}` picks the form the language needs for a number, `'{'` is a literal brace.
 * Tags are not parsed: a `<` in a text is just a character (output is escaped by the views).
 */
export type MessageParams = Record<string, string | number>;

/** How an argument is used: filled in as it is, or read as a number (plural, selectordinal, number). */
export type ArgumentKind = 'text' | 'number';

export interface CompiledMessage {
  /** The arguments the message reads, by name. */
  readonly args: ReadonlyMap<string, ArgumentKind>;
  format(params?: MessageParams): string;
}

/** A text that does not parse as a message; `offset` is where the parser gave up (0-based). */
export class MessageSyntaxError extends Error {
  constructor(readonly problem: string, readonly offset: number) {
    super(`${problem} at ${offset}`);
  }
}

const OPTIONS = { ignoreTag: true, requiresOtherClause: true } as const;

function collect(elements: MessageFormatElement[], into: Map<string, ArgumentKind>): void {
  for (const el of elements) {
    if (el.type === TYPE.argument || el.type === TYPE.date || el.type === TYPE.time) {
      if (!into.has(el.value)) into.set(el.value, 'text');
    } else if (el.type === TYPE.number || el.type === TYPE.plural) {
      into.set(el.value, 'number');
    } else if (el.type === TYPE.select) {
      if (!into.has(el.value)) into.set(el.value, 'text');
    }
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      for (const option of Object.values(el.options)) collect(option.value, into);
    }
  }
}

function parseOrThrow(text: string): MessageFormatElement[] {
  try {
    return parse(text, OPTIONS);
  } catch (error) {
    const location = (error as { location?: { start?: { offset?: number } } }).location;
    throw new MessageSyntaxError(error instanceof Error ? error.message : String(error), location?.start?.offset ?? 0);
  }
}

/** The arguments a text reads, by name; throws MessageSyntaxError when the text is not a valid message. */
export function messageArguments(text: string): Map<string, ArgumentKind> {
  const args = new Map<string, ArgumentKind>();
  collect(parseOrThrow(text), args);
  return args;
}

/**
 * Compile a text once for a language (plural rules and number formats are the language's).
 * A value the caller did not give shows as its `{name}`, as plain substitution always did, rather
 * than failing the page. Throws MessageSyntaxError for a text that is not a valid message.
 */
export function compileMessage(text: string, locale: string): CompiledMessage {
  const ast = parseOrThrow(text);
  const args = new Map<string, ArgumentKind>();
  collect(ast, args);
  const message = new IntlMessageFormat(ast, locale, undefined, OPTIONS);
  return {
    args,
    format(params = {}) {
      const values: Record<string, string | number> = {};
      for (const name of args.keys()) values[name] = name in params ? params[name]! : `{${name}}`;
      const out = message.format(values);
      return Array.isArray(out) ? out.join('') : String(out);
    },
  };
}
