/**
 * The account-security and POP-box option routes (manual part 2 §1.17.2, §1.17.5) and the login
 * page's forgotten password (§1.1 忘记密码): change password (needs the old one), the security
 * question (setting it needs the password; the answer never comes back), MultiPOP boxes (list,
 * add, change, remove, test; their passwords never come back), and the two session-less
 * password-reset steps. Those feed the failed-login throttle like a login: a banned address is
 * refused first, a wrong answer waits out the throttle's delay.
 */
import { z } from 'zod';
import { hashToken } from '../../../auth/web-sessions.ts';
import { isMailError, MailError } from '../../../core/errors.ts';
import type { PopAccountId } from '../../../core/ids.ts';
import { SecurityQuestionInputSchema } from '../../../options/option-schemas.ts';
import type { Runtime } from '../../../runtime.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { WebDeps } from '../deps.ts';

const Ok = z.object({ ok: z.literal(true) });
const Password = z.string().min(1).max(1024);

const PopAccount = z.object({
  id: z.number().int(), host: z.string(), port: z.number().int(), tls: z.enum(['none', 'starttls', 'tls']), username: z.string(),
  useApop: z.boolean(), enabled: z.boolean(),
  leaveOnServer: z.boolean().describe('false: delete from the remote server once collected (删除服务器邮件)'),
  leaveDays: z.number().int(), lastRunAt: z.number().nullable(), lastSuccessAt: z.number().nullable(), lastError: z.string(),
  lastFetched: z.number().int(), totalFetched: z.number().int(), createdAt: z.number(),
}).describe('PopAccount');
const popFields = {
  host: z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.:\-[\]]+$/, 'a host name or IP address'),
  port: z.int().min(1).max(65535),
  tls: z.enum(['none', 'starttls', 'tls']),
  username: z.string().min(1).max(320).regex(/^\S+$/, 'one word, no spaces'),
  password: z.string().min(1).max(1024).regex(/^[^\r\n]*$/, 'one line'),
  useApop: z.boolean(), enabled: z.boolean(), leaveOnServer: z.boolean(), leaveDays: z.int().min(0).max(3650),
};
const NewPopAccount = z.strictObject(popFields).partial().required({ host: true, username: true, password: true });
const PopParams = z.strictObject({ accountId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe('An id from GET /api/options/pop-accounts') });

export function optionSecurityRoutes(deps: WebDeps, o: Runtime['options']): AnyRoute[] {
  return [
    defineRoute({
      method: 'PUT', url: '/api/options/password', tag: 'options', auth: true, module: 'password', errors: ['PASSWORD_WEAK'],
      summary: 'Changes the password; the old one is needed (a wrong one is 400 naming oldPassword)',
      body: z.strictObject({ oldPassword: Password, newPassword: Password }), response: Ok,
      handler: async ({ who, body, req }) => {
        const me = who();
        // Every other session of the user ends with the old password; this one goes on.
        await o.security.changePassword(me.actor, me.user.id, body.oldPassword, body.newPassword, { keepSession: hashToken(me.token) });
        deps.log(req.ip, `password changed by ${me.user.address}`);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/options/security-question', tag: 'options', auth: true, errors: [],
      summary: 'The security question (密码提示问题), null when none is set; the answer never comes back',
      response: z.object({ question: z.string().nullable() }),
      handler: async ({ who }) => o.security.question(who().actor, who().user.id),
    }),
    defineRoute({
      method: 'PUT', url: '/api/options/security-question', tag: 'options', auth: true, errors: [],
      summary: 'Sets the question and its answer (kept hashed); the current password is needed',
      body: SecurityQuestionInputSchema, response: z.object({ question: z.string() }),
      handler: async ({ who, body }) => o.security.setQuestion(who().actor, who().user.id, body),
    }),
    defineRoute({
      method: 'DELETE', url: '/api/options/security-question', tag: 'options', auth: true, errors: [],
      summary: 'Removes the security question (the password can then not be reset with it)', response: Ok,
      handler: async ({ who }) => { await o.security.clearQuestion(who().actor, who().user.id); return { ok: true as const }; },
    }),
    defineRoute({
      method: 'POST', url: '/api/password-reset/question', tag: 'session', auth: false, errors: ['NOT_FOUND', 'LOGIN_BANNED'],
      summary: 'Forgot password, step 1: the security question of an address (404 when none is set)',
      body: z.strictObject({ address: z.string().min(3).max(320) }), response: z.object({ question: z.string() }),
      handler: async ({ body, req }) => {
        if (deps.throttle.isBanned(req.ip)) throw new MailError('LOGIN_BANNED', `${req.ip} is banned`);
        return o.security.questionFor(body.address);
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/password-reset', tag: 'session', auth: false, errors: ['AUTH_FAILED', 'LOGIN_BANNED', 'PASSWORD_WEAK'],
      summary: 'Forgot password, step 2: the right answer sets a new password (a wrong one counts as a failed login)',
      body: z.strictObject({ address: z.string().min(3).max(320), answer: z.string().min(1).max(100), newPassword: Password }), response: Ok,
      handler: async ({ body, req }) => {
        const ip = req.ip;
        if (deps.throttle.isBanned(ip)) throw new MailError('LOGIN_BANNED', `${ip} is banned`);
        try {
          await o.security.resetWithAnswer(body.address, body.answer, body.newPassword, ip);
        } catch (err) {
          if (isMailError(err, 'AUTH_FAILED')) {
            await new Promise((r) => setTimeout(r, deps.throttle.failed(ip, body.address)));
            deps.log(ip, `password reset failed for ${body.address.slice(0, 100)}: wrong answer`);
          }
          throw err;
        }
        deps.throttle.succeeded(ip);
        deps.log(ip, `password reset by security question for ${body.address.slice(0, 100)}`);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/options/pop-accounts', tag: 'options', auth: true, module: 'pop', errors: [],
      summary: 'The user\'s other POP3 boxes collected into INBOX (MultiPOP); passwords never come back',
      response: z.object({ accounts: z.array(PopAccount) }),
      handler: async ({ who }) => ({ accounts: await o.pop.list(who().actor, who().user.id) }),
    }),
    defineRoute({
      method: 'POST', url: '/api/options/pop-accounts', tag: 'options', auth: true, module: 'pop', errors: [],
      summary: 'Adds a POP3 box (default: pop3s on 995, leave mail on the server)', body: NewPopAccount, response: PopAccount,
      handler: async ({ who, body }) => o.pop.add(who().actor, who().user.id, body),
    }),
    defineRoute({
      method: 'PUT', url: '/api/options/pop-accounts/:accountId', tag: 'options', auth: true, module: 'pop', errors: ['NOT_FOUND'],
      summary: 'Changes the fields sent; a password left out stays', params: PopParams, body: z.strictObject(popFields).partial(), response: PopAccount,
      handler: async ({ who, params, body }) => o.pop.update(who().actor, who().user.id, params.accountId as PopAccountId, body),
    }),
    defineRoute({
      method: 'DELETE', url: '/api/options/pop-accounts/:accountId', tag: 'options', auth: true, module: 'pop', errors: ['NOT_FOUND'],
      summary: 'Removes a POP3 box (mail already collected stays)', params: PopParams, response: Ok,
      handler: async ({ who, params }) => { await o.pop.remove(who().actor, who().user.id, params.accountId as PopAccountId); return { ok: true as const }; },
    }),
    defineRoute({
      method: 'POST', url: '/api/options/pop-accounts/:accountId/test', tag: 'options', auth: true, module: 'pop', errors: ['NOT_FOUND'],
      summary: 'Logs in to the remote server with the stored settings, counts the waiting mail and quits (collects nothing)',
      params: PopParams, body: z.strictObject({}).optional(),
      response: z.object({ ok: z.boolean(), messages: z.number().int().optional(), bytes: z.number().int().optional(), error: z.string().optional() }),
      handler: async ({ who, params }) => o.pop.test(who().actor, who().user.id, params.accountId as PopAccountId),
    }),
  ];
}
