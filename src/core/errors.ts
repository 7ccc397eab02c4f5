/**
 * The one error catalogue. Every failure a person or a peer can see has a code here with its
 * SMTP reply, enhanced status (RFC 3463), IMAP response code, HTTP status and CLI exit code.
 * Services throw MailError(code, message); protocol edges translate with `describe(code)`.
 * `message` is for operators and may name the field or object; `public` reveals nothing.
 */
export interface ErrorSpec {
  smtp: number;
  enhanced: string;
  imap: 'NO' | 'BAD';
  imapCode?: string;
  http: number;
  temporary: boolean;
  public: string;
}

const spec = (smtp: number, enhanced: string, http: number, pub: string, imapCode?: string): ErrorSpec => ({
  smtp, enhanced, http, public: pub, imapCode, imap: 'NO', temporary: smtp >= 400 && smtp < 500,
});

export const ERRORS = {
  INVALID_INPUT: { ...spec(501, '5.5.4', 400, 'Syntax error in parameters'), imap: 'BAD' },
  NOT_FOUND: spec(550, '5.1.1', 404, 'Not found', 'NONEXISTENT'),
  ALREADY_EXISTS: spec(550, '5.1.0', 409, 'Already exists', 'ALREADYEXISTS'),
  LIMIT_REACHED: spec(552, '5.2.2', 409, 'Limit reached', 'LIMIT'),
  RCPT_UNKNOWN_USER: spec(550, '5.1.1', 404, 'No such user here', 'NONEXISTENT'),
  ALIAS_LOOP: spec(554, '5.4.6', 409, 'Routing loop detected'),
  PASSWORD_WEAK: spec(550, '5.7.0', 400, 'Password does not meet the policy'),
  AUTH_FAILED: spec(535, '5.7.8', 401, 'Authentication credentials invalid', 'AUTHENTICATIONFAILED'),
  ACCOUNT_DISABLED: spec(535, '5.7.1', 403, 'Account disabled', 'AUTHENTICATIONFAILED'),
  FORBIDDEN: spec(550, '5.7.1', 403, 'Not allowed', 'NOPERM'),
  AUTH_REQUIRED: spec(530, '5.7.0', 401, 'Authentication required'),
  CSRF_REJECTED: spec(550, '5.7.1', 403, 'Request not allowed: reload the page and try again'),
  LOGIN_BANNED: spec(421, '4.7.0', 429, 'Too many failed logins, try again later'),
  QUOTA_EXCEEDED: spec(552, '5.2.2', 507, 'Mailbox full', 'OVERQUOTA'),
  CONFLICT: spec(451, '4.3.0', 409, 'Changed concurrently, try again'),
  STORE_UNAVAILABLE: spec(451, '4.3.0', 503, 'Requested action aborted: local error', 'UNAVAILABLE'),
  CONFIG_INVALID: spec(451, '4.3.5', 500, 'Server configuration error', 'UNAVAILABLE'),
  INTERNAL: spec(451, '4.3.0', 500, 'Requested action aborted: local error', 'SERVERBUG'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class MailError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MailError';
    this.code = code;
    this.details = opts.details;
  }

  get spec(): ErrorSpec {
    return ERRORS[this.code];
  }
}

/** The catalogue entry for any thrown value; unknown errors count as temporary internal failures. */
export function describeError(err: unknown): ErrorSpec & { code: ErrorCode } {
  const code: ErrorCode = err instanceof MailError ? err.code : 'INTERNAL';
  return { code, ...ERRORS[code] };
}

export const isMailError = (err: unknown, code?: ErrorCode): err is MailError =>
  err instanceof MailError && (code === undefined || err.code === code);
