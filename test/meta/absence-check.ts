import ts from 'typescript';

/**
 * Finds "X is absent from the page" assertions that an error page would pass: a `t.notMatch(...)`,
 * `t.notOk(... .includes(...))`, `t.notOk(/re/.test(...))` or `t.equal(... .includes(...), false)`
 * over a response body (`res.body`, `res.payload`, `await res.text()`, or a variable that holds one)
 * with no look at that response's status code between where it was fetched and the claim.
 *
 * Purely syntactic (one file at a time, no type checker): a subject it cannot trace to a response
 * (a parameter, a mail, a log line) is left alone.
 */

export interface Finding {
  line: number;
  text: string;
  reason: string;
  /** The response variable (or its destructured status code) and the line it was fetched on, if named. */
  response?: { name: string; line: number };
}

const BODY_PROPS = new Set(['body', 'payload']);
const STATUS_PROPS = new Set(['statusCode', 'status']);

/** The unchecked absence claims in one file's source. */
export function uncheckedAbsences(fileName: string, source: string): Finding[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      for (const subject of absenceSubjects(node)) {
        const verdict = judge(subject, node);
        if (verdict) {
          const lineOf = (pos: number) => file.getLineAndCharacterOfPosition(pos).line + 1;
          findings.push({
            line: lineOf(node.getStart()), text: node.getText().split('\n')[0]!.slice(0, 120), reason: verdict.reason,
            ...(verdict.response ? { response: { name: verdict.response.name, line: lineOf(verdict.response.from) } } : {}),
          });
          break;
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return findings;
}

/** The expressions an assertion claims something is absent from (none if it is not such a claim). */
function absenceSubjects(call: ts.CallExpression): ts.Expression[] {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return [];
  const [first, second] = call.arguments;
  if (!first) return [];
  switch (callee.name.text) {
    case 'notMatch':
      return [first];
    case 'notOk':
      return searchedIn(first);
    case 'equal':
    case 'strictEqual':
      return second && second.kind === ts.SyntaxKind.FalseKeyword ? searchedIn(first) : [];
    default:
      return [];
  }
}

/** `x.includes(...)` → x, `/re/.test(x)` → x, `!x.includes` is not a claim of absence. */
function searchedIn(expr: ts.Expression): ts.Expression[] {
  const e = unwrap(expr);
  if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression)) return [];
  const method = e.expression.name.text;
  if (method === 'includes' || method === 'match') return [e.expression.expression];
  if (method === 'test' && e.arguments[0]) return [e.arguments[0]];
  return [];
}

function unwrap(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e) || ts.isAwaitExpression(e)) e = e.expression;
  return e;
}

/** Why the claim over `subject` is unchecked, or null if it is checked or not about a response. */
function judge(subject: ts.Expression, call: ts.CallExpression): { reason: string; response?: Named } | null {
  const response = responseOf(subject, call, 0);
  if (response === null) return null;
  if (response === 'inline') return { reason: 'the response is fetched inside the assertion: its status is never checked' };
  if (statusCheckedBetween(response, call)) return null;
  return { reason: `no ${response.name}${response.bare ? '' : '.statusCode'} check before the claim`, response };
}

/** A response by name (or, `bare`, its destructured status code), whose status must be looked at after `from`. */
interface Named { name: string; from: number; bare: boolean }
type Source = null | 'inline' | Named;

/** The response a subject is the body of: a named one, one fetched inline, or none. */
function responseOf(subject: ts.Expression, at: ts.Node, depth: number): Source {
  if (depth > 3) return null;
  const e = unwrap(subject);
  // res.body, (await client.get(url)).body
  if (ts.isPropertyAccessExpression(e) && BODY_PROPS.has(e.name.text)) return named(e.expression, at);
  // await res.text()
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'text' && e.arguments.length === 0 && ts.isAwaitExpression(subject)) {
    return named(e.expression.expression, at);
  }
  // A variable holding a body: const page = res.body; const { body } = await client.get(url)
  if (ts.isIdentifier(e)) {
    const declaration = latestBinding(e.text, at);
    if (!declaration) return null;
    if (declaration.kind === 'value') {
      // const page = await tab('general'), where tab = async (name) => (await client.get(...)).body
      const init = unwrap(declaration.init);
      if (ts.isCallExpression(init) && ts.isIdentifier(init.expression)) {
        const helper = latestBinding(init.expression.text, at);
        const fn = helper?.kind === 'value' ? unwrap(helper.init) : null;
        if (fn && ts.isArrowFunction(fn) && !ts.isBlock(fn.body)) return responseOf(fn.body, fn.body, depth + 1) === 'inline' ? 'inline' : null;
      }
      return responseOf(declaration.init, at, depth + 1);
    }
    // Destructured from a response: the same pattern must bind its status code, and that name be checked.
    const source = unwrap(declaration.init);
    if (!BODY_PROPS.has(declaration.property)) return null;
    if (!ts.isCallExpression(source) && !ts.isIdentifier(source)) return null;
    if (ts.isCallExpression(source) && ts.isIdentifier(source.expression) && checksStatus(source.expression.text, at)) return null;
    if (declaration.statusName) return { name: declaration.statusName, from: declaration.end, bare: true };
    return ts.isIdentifier(source) ? { name: source.text, from: declaration.end, bare: false } : 'inline';
  }
  return null;
}

function named(expr: ts.Expression, at: ts.Node): Source {
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) {
    const binding = latestBinding(e.text, at);
    // `const page = await list(t, client, query)`, where list() fetches and checks the status itself.
    const init = binding?.kind === 'value' ? unwrap(binding.init) : null;
    if (init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && checksStatus(init.expression.text, at)) return null;
    return { name: e.text, from: binding ? binding.end : 0, bare: false };
  }
  // A property path (`result.response`) is left alone; a call (`client.get(...)`) is fetched inline.
  return ts.isCallExpression(e) ? 'inline' : null;
}

/** Whether a function of this file named `name` looks at a status code (a helper that fetches and checks). */
function checksStatus(name: string, at: ts.Node): boolean {
  let body: ts.Node | null = null;
  const helper = latestBinding(name, at);
  if (helper?.kind === 'value') {
    const fn = unwrap(helper.init);
    if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) body = fn.body;
  }
  const find = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && node.name?.text === name && node.body) body = node.body;
    else ts.forEachChild(node, find);
  };
  if (!body) find(at.getSourceFile());
  let found = false;
  const look = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'statusCode') found = true;
    if (!found) ts.forEachChild(node, look);
  };
  if (body) look(body);
  return found;
}

type Binding =
  | { kind: 'value'; init: ts.Expression; end: number }
  | { kind: 'destructured'; init: ts.Expression; property: string; statusName: string | null; end: number };

/** The last declaration of or assignment to `name` before `at`, in a scope that encloses it. */
function latestBinding(name: string, at: ts.Node): Binding | null {
  let best: Binding | null = null;
  const encloses = (node: ts.Node) => {
    const scope = ts.findAncestor(node, (a) => ts.isBlock(a) || ts.isSourceFile(a) || ts.isForOfStatement(a) || ts.isForStatement(a));
    return !scope || (scope.getStart() <= at.getStart() && at.getEnd() <= scope.getEnd());
  };
  const consider = (b: Binding, node: ts.Node) => {
    if (b.end < at.getStart() && encloses(node) && (!best || b.end >= best.end)) best = b;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.initializer) {
      if (ts.isIdentifier(node.name) && node.name.text === name) consider({ kind: 'value', init: node.initializer, end: node.getEnd() }, node);
      if (ts.isObjectBindingPattern(node.name)) {
        let property: string | null = null;
        let statusName: string | null = null;
        for (const element of node.name.elements) {
          const key = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : ts.isIdentifier(element.name) ? element.name.text : null;
          if (ts.isIdentifier(element.name) && element.name.text === name) property = key;
          if (key && STATUS_PROPS.has(key) && ts.isIdentifier(element.name)) statusName = element.name.text;
        }
        if (property) consider({ kind: 'destructured', init: node.initializer, property, statusName, end: node.getEnd() }, node);
      }
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left) && node.left.text === name) {
      consider({ kind: 'value', init: node.right, end: node.getEnd() }, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(at.getSourceFile());
  return best;
}

/**
 * Whether the response's status is looked at between its fetch and the claim: `res.statusCode` /
 * `res.status` anywhere there (an equal, a match, an includes over allowed codes),
 * `t.match(res, { statusCode })`, or a destructured status code handed to any call.
 */
function statusCheckedBetween(response: Named, call: ts.CallExpression): boolean {
  const { name, from, bare } = response;
  const isName = (n: ts.Node) => ts.isIdentifier(unwrap(n as ts.Expression)) && (unwrap(n as ts.Expression) as ts.Identifier).text === name;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || node.getEnd() <= from || node.getStart() >= call.getStart()) return;
    if (node.getStart() >= from) {
      if (bare) {
        if (ts.isCallExpression(node) && node.arguments.some(isName)) found = true;
      } else {
        if (ts.isPropertyAccessExpression(node) && STATUS_PROPS.has(node.name.text) && isName(node.expression)) found = true;
        if (ts.isCallExpression(node) && node.arguments.some(isName)
          && node.arguments.some((a) => ts.isObjectLiteralExpression(a) && a.properties.some((p) => p.name && ts.isIdentifier(p.name) && STATUS_PROPS.has(p.name.text)))) found = true;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(call.getSourceFile());
  return found;
}
