/**
 * Domain errors: verbs throw these to say what went wrong, never how HTTP says it. The error plugin
 * (plugins/errors.ts, statusOf) maps each class to a status and a page or fragment.
 */
export abstract class DomainError extends Error {
  /** Values for the message's {placeholders}. */
  params: Record<string, string> = {};

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFound extends DomainError {
  constructor(message = 'errors.notFound') { super(message); }
}

export class Forbidden extends DomainError {
  constructor(message = 'errors.forbidden') { super(message); }
}

export class Conflict extends DomainError {
  constructor(message = 'errors.conflict') { super(message); }
}

export type FieldErrors = Record<string, string>;

/** Invalid input: `fields` maps a form field name to a message key. */
export class Invalid extends DomainError {
  constructor(readonly fields: FieldErrors, message = 'errors.invalid', params: Record<string, string> = {}) {
    super(message);
    this.params = params;
  }
}

export class TooManyRequests extends DomainError {
  constructor(message = 'errors.tooMany', readonly retryAfterSeconds = 60) { super(message); }
}

/** A request the desk cannot read at all: a forged cursor, an unknown filter, a query of the wrong shape. */
export class Malformed extends DomainError {
  constructor(message = 'errors.badRequest') { super(message); }
}

/** More than the desk takes in one go: a form field, a file, too many files. */
export class TooLarge extends DomainError {
  constructor(message = 'errors.tooLarge', params: Record<string, string> = {}) {
    super(message);
    this.params = params;
  }
}

/** A link or token that was good once and has run out. */
export class Expired extends DomainError {
  constructor(message: string) { super(message); }
}
