/**
 * The catalogue (core/errors.ts) at the HTTP edge: every error answer is
 * `{ error: { code, message, field? } }` with the catalogue's HTTP status. The message is the
 * catalogue's public text, except for INVALID_INPUT, whose message says what is wrong with the
 * caller's own input and `field` names it, a sending rule's refusal ("<x@y>: No such user here") and a
 * switched-off webmail module ("the pop module is switched off for this domain"). Unknown failures are INTERNAL 500 and are logged.
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { describeError, ERRORS, MailError, type ErrorCode } from '../../core/errors.ts';

export const ErrorBody = z.object({
  error: z.object({
    code: z.string().describe('A code from the error catalogue, e.g. NOT_FOUND, INVALID_INPUT, AUTH_REQUIRED'),
    message: z.string(),
    field: z.string().optional().describe('For INVALID_INPUT: the field that is wrong'),
  }),
}).describe('Error');

export interface ErrorAnswer {
  status: number;
  body: z.output<typeof ErrorBody>;
}

/** A fastify error (bad JSON, wrong content type, body too large) keeps its 4xx status as INVALID_INPUT. */
const isClientFrameworkError = (err: unknown): err is { statusCode: number; message: string } =>
  typeof err === 'object' && err !== null && typeof (err as { statusCode?: unknown }).statusCode === 'number'
  && (err as { statusCode: number }).statusCode >= 400 && (err as { statusCode: number }).statusCode < 500
  && !(err instanceof MailError);

export function errorAnswer(err: unknown): ErrorAnswer {
  if (isClientFrameworkError(err)) {
    return { status: err.statusCode, body: { error: { code: 'INVALID_INPUT', message: err.message, field: 'body' } } };
  }
  const d = describeError(err);
  const field = err instanceof MailError && typeof err.details?.field === 'string' ? err.details.field : undefined;
  // A sending rule's refusal (submission/sending-rules.ts) is written for the sender, as SMTP shows it.
  // So is a module the domain switched off (directory/modules.ts): the user may know which.
  const forCaller = err instanceof MailError && (d.code === 'INVALID_INPUT' || err.details?.reply !== undefined || typeof err.details?.module === 'string');
  const message = forCaller ? err.message : d.public;
  return { status: d.http, body: { error: { code: d.code, message, ...(field ? { field } : {}) } } };
}

export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const a = errorAnswer(err);
  return reply.code(a.status).type('application/json; charset=utf-8').send(a.body);
}

/** The catalogue codes a route may answer with, for the OpenAPI document. */
export const httpStatusOf = (code: ErrorCode): number => ERRORS[code].http;
