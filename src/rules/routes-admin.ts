import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { describeRuleActions, readActions } from './actions.js';
import { createRule, deleteRule, findRule, listRules, moveRule, updateRule } from './admin.js';
import { CATEGORIES, readConditions, RULE_EVENTS, VIAS } from './conditions.js';
import { ruleChoices } from './queries.js';
import { MAX_FIELD_CONDITIONS, moveSchema, readRuleForm, ruleFields } from './schemas.js';
import type { Rule, RuleKind } from './schema.js';
import { previewRule } from './test-mode.js';

type Form = Record<string, string | string[] | undefined>;
type Id = { Params: { id: string }; Body: Form };

const KINDS: [string, RuleKind][] = [['triggers', 'trigger'], ['automations', 'automation']];
const NEW_RULE: Form = { enabled: '1', events: ['created'] };

/** `/admin/triggers` and `/admin/automations`: the ordered lists, the form, reorder, delete, test mode. */
export default async function ruleAdminRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('rules.manage'));
  const idOf = (request: FastifyRequest<Id>) => positiveInt(request.params.id) ?? -1;

  for (const [path, kind] of KINDS) {
    const base = `/admin/${path}`;
    const formPage = async (reply: FastifyReply, rule: Rule | null, values: Form, errors: Record<string, string>, status = 200) =>
      reply.page('admin/rule-form', {
        kind, base, rule, values, errors, choices: await ruleChoices(db), events: RULE_EVENTS, categories: CATEGORIES, vias: VIAS, maxFieldRows: MAX_FIELD_CONDITIONS,
      }, { status });

    app.get(base, async (request, reply) => {
      const rules = await listRules(db, kind);
      const described = await Promise.all(rules.map(async (rule) => ({ ...rule, does: await describeRuleActions(db, readActions(rule.actions), request.t) })));
      return reply.page('admin/rules', { kind, base, rules: described });
    });
    app.get(`${base}/new`, async (_request, reply) => formPage(reply, null, kind === 'trigger' ? NEW_RULE : { enabled: '1' }, {}));
    app.post<{ Body: Form }>(base, async (request, reply) => {
      try {
        const { value, errors } = readRuleForm(request.body);
        await createRule(db, request.actor!, kind, value, errors);
        return reply.seeOther(base, 'rules.saved');
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        return formPage(reply, null, request.body ?? {}, error.fields, 422);
      }
    });
    app.get<Id>(`${base}/:id`, async (request, reply) => {
      const rule = await findRule(db, kind, idOf(request));
      return formPage(reply, rule, ruleFields(rule, readConditions(rule.conditions), readActions(rule.actions)), {});
    });
    app.post<Id>(`${base}/:id`, async (request, reply) => {
      const rule = await findRule(db, kind, idOf(request));
      try {
        const { value, errors } = readRuleForm(request.body);
        await updateRule(db, request.actor!, kind, rule.id, value, errors);
        return reply.seeOther(base, 'rules.saved');
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        return formPage(reply, rule, request.body ?? {}, error.fields, 422);
      }
    });
    app.post<Id>(`${base}/:id/position`, async (request, reply) => {
      const rule = await findRule(db, kind, idOf(request));
      const { direction } = parseForm(moveSchema, request.body);
      await moveRule(db, request.actor!, kind, rule.id, direction);
      return reply.seeOther(base);
    });
    app.post<Id>(`${base}/:id/delete`, async (request, reply) => {
      await deleteRule(db, request.actor!, kind, idOf(request));
      return reply.seeOther(base, 'rules.deleted');
    });
    app.get<Id>(`${base}/:id/test`, async (request, reply) => {
      const rule = await findRule(db, kind, idOf(request));
      return reply.page('admin/rule-test', { kind, base, rule, preview: await previewRule(db, rule, request.t) });
    });
  }
}
