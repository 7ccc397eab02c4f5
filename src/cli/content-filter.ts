/**
 * `youju content-filter list|add|remove|move|enable|disable|stats` — the content filter rules
 * (FEATURES S6, manual 4.5.1) from the command line. Rules are runtime settings
 * (contentFilter.rules): a running server picks a change up without a restart. A rule is given as
 * JSON, e.g. '{"name":"no invoices","conditions":[{"field":"header","header":"Subject","values":["发票"]}],
 * "actions":[{"type":"delete"}]}'. Attachment lists, monitoring and archiving are the settings
 * contentFilter.attachments, contentFilter.monitoring and contentFilter.archive (`youju settings set`).
 * Every change is audited.
 */
import type { Command } from 'commander';
import type { Rule } from '../config/schema/content-filter.ts';
import { MailError } from '../core/errors.ts';
import { localDate } from '../core/log/session-log.ts';
import { nonNegativeInt } from './args.ts';
import { withRuntime } from './context.ts';
import { table } from './output.ts';

function parseRule(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new MailError('INVALID_INPUT', `rule: not JSON (${(err as Error).message})`);
  }
}

const describeRule = (r: Rule) =>
  `${r.conditions.length === 0 ? 'every message' : r.conditions.map((c) => `${c.field}${c.header ? `[${c.header}]` : ''} ${c.op} ${JSON.stringify(c.values)}`).join(r.match === 'all' ? ' and ' : ' or ')}`
  + ` → ${r.actions.map((a) => a.type + (a.to.length ? ` ${a.to.join(',')}` : '') + (a.folder ? ` ${a.folder}` : '') + (a.header ? ` ${a.header}` : '')).join(', ')}`;

export function registerContentFilter(program: Command): void {
  const c = program.command('content-filter').description('content filter rules (conditions and actions), applied in order');

  /** Changes contentFilter.rules and writes the audit entry. */
  const change = (cmd: Command, what: string, target: string, edit: (rules: unknown[]) => unknown[]) => withRuntime(cmd, async (rt, { out, actor }) => {
    const rules = edit(structuredClone(rt.settings.current().contentFilter.rules) as unknown[]);
    await rt.settings.set('contentFilter.rules', rules);
    await rt.store.tx((tx) => tx.audit.write({ actor: actor.who, source: actor.from, action: `content-filter.${what}`, target, details: {} }));
    const now = rt.settings.current().contentFilter;
    out.result({ enabled: now.enabled, rules: now.rules }, () => `${what}: ${target}; ${now.rules.length} rule(s)${now.enabled ? '' : ' (the content filter is off: youju content-filter enable)'}`);
  });
  const indexOf = (rules: unknown[], name: string) => {
    const i = rules.findIndex((r) => (r as Rule).name === name);
    if (i < 0) throw new MailError('NOT_FOUND', `no content filter rule "${name}"`);
    return i;
  };

  c.command('list').description('the rules in order, and whether the filter is on')
    .action((_f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const s = rt.settings.current().contentFilter;
      out.result({ enabled: s.enabled, rules: s.rules, attachments: s.attachments, monitoring: s.monitoring, archive: s.archive }, () => [
        `content filter: ${s.enabled ? 'on' : 'off'}; attachments: ${s.attachments.mode}; monitoring: ${s.monitoring.filter((m) => m.enabled).length} rule(s); archive: ${s.archive.enabled ? s.archive.addresses.join(', ') : 'off'}`,
        s.rules.length === 0 ? 'no rules' : table(['#', 'NAME', 'ON', 'RULE'], s.rules.map((r, i) => [String(i + 1), r.name, r.enabled ? 'yes' : 'no', describeRule(r)])),
      ].join('\n'));
    }));

  c.command('add <json>').option('--at <position>', 'put it at this position (1 = first); default last', nonNegativeInt)
    .description('add a rule given as JSON')
    .action((json: string, f: { at?: number }, cmd: Command) => {
      const rule = parseRule(json) as { name?: unknown };
      const name = typeof rule?.name === 'string' ? rule.name : '';
      return change(cmd, 'add', name, (rules) => {
        if (rules.some((r) => (r as Rule).name === name)) throw new MailError('ALREADY_EXISTS', `a content filter rule "${name}" exists already`);
        const at = f.at === undefined ? rules.length : Math.min(Math.max(f.at - 1, 0), rules.length);
        rules.splice(at, 0, rule);
        return rules;
      });
    });

  c.command('remove <name>').description('remove a rule')
    .action((name: string, _f: unknown, cmd: Command) => change(cmd, 'remove', name, (rules) => {
      rules.splice(indexOf(rules, name), 1);
      return rules;
    }));

  c.command('move <name> <position>').description('move a rule to a position (1 = first)')
    .action((name: string, position: string, _f: unknown, cmd: Command) => change(cmd, 'move', name, (rules) => {
      const to = Number(position);
      if (!Number.isInteger(to) || to < 1) throw new MailError('INVALID_INPUT', 'position: a whole number from 1');
      const [rule] = rules.splice(indexOf(rules, name), 1);
      rules.splice(Math.min(to - 1, rules.length), 0, rule);
      return rules;
    }));

  for (const [verb, on] of [['enable', true], ['disable', false]] as const) {
    c.command(`${verb} [name]`).description(`${verb} one rule, or without a name the content filter itself`)
      .action((name: string | undefined, _f: unknown, cmd: Command) => {
        if (name !== undefined) {
          return change(cmd, verb, name, (rules) => {
            (rules[indexOf(rules, name)] as { enabled: boolean }).enabled = on;
            return rules;
          });
        }
        return withRuntime(cmd, async (rt, { out, actor }) => {
          await rt.settings.set('contentFilter.enabled', on);
          await rt.store.tx((tx) => tx.audit.write({ actor: actor.who, source: actor.from, action: `content-filter.${verb}`, target: 'contentFilter.enabled', details: { value: on } }));
          out.result({ enabled: on }, () => `content filter ${on ? 'on' : 'off'}`);
        });
      });
  }

  c.command('stats').option('--days <n>', 'days of counters to show', nonNegativeInt, 7)
    .description('daily counts: rules matched, deleted, redirected, copied, notified, attachments refused, monitored, archived')
    .action((f: { days: number }, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const now = rt.clock.now();
      const days = await rt.pipeline.counters.read(localDate(new Date(now - Math.max(f.days - 1, 0) * 86_400_000)), localDate(new Date(now)));
      const names = ['matched', 'deleted', 'redirected', 'copied', 'notified', 'attachment-refused', 'monitored', 'archived'];
      const rows = Object.entries(days).map(([day, counts]) => ({ day, ...Object.fromEntries(names.map((n) => [n, counts[`content-filter.${n}`] ?? 0])) }));
      out.result(rows, () => table(['DAY', ...names.map((n) => n.toUpperCase())], rows.map((r) => [r.day, ...names.map((n) => String((r as Record<string, unknown>)[n]))])));
    }));
}
