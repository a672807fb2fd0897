/** Domain errors: verbs throw these, one error handler maps them to pages (404/403/422/409). */
export class DomainError extends Error {
  /** Values for the message's {placeholders}. */
  params: Record<string, string> = {};

  constructor(message: string, readonly statusCode: number) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFound extends DomainError {
  constructor(message = 'errors.notFound') { super(message, 404); }
}

export class Forbidden extends DomainError {
  constructor(message = 'errors.forbidden') { super(message, 403); }
}

export class Conflict extends DomainError {
  constructor(message = 'errors.conflict') { super(message, 409); }
}

export type FieldErrors = Record<string, string>;

/** Invalid input: `fields` maps a form field name to a message key. */
export class Invalid extends DomainError {
  constructor(readonly fields: FieldErrors, message = 'errors.invalid', params: Record<string, string> = {}) {
    super(message, 422);
    this.params = params;
  }
}

export class TooManyRequests extends DomainError {
  constructor(message = 'errors.tooMany', readonly retryAfterSeconds = 60) { super(message, 429); }
}
