import t from 'tap';
import { matchExpression, parseQuery } from '../../src/search/parse.js';
import { tsQueryText } from '../../src/search/postgres.js';

t.test('words, phrases, filters and a ticket number come apart', async (t) => {
  const q = parseQuery('printer "paper jam" status:pending type:"Domain approval" org:acme assignee:me #123 toner');
  t.same(q.filters, { status: 'pending', type: 'Domain approval', org: 'acme', assignee: 'me' });
  t.equal(q.ticketId, 123);
  t.same(q.terms.map((term) => [term.words, term.phrase, term.prefix]),
    [[['printer'], false, false], [['paper', 'jam'], true, false], [['toner'], false, true]]);
  t.equal(matchExpression(q.terms), '"printer" AND "paper jam" AND "toner"*');
});

t.test('FTS5 syntax typed by a user becomes quoted words or nothing', async (t) => {
  const cases: [string, string | null][] = [
    ['"unbalanced', '"unbalanced"'],
    ['AND', '"and"*'],
    ['*', null],
    ['-', null],
    ['a OR b NOT c', '"a" AND "or" AND "b" AND "not" AND "c"*'],
    ['e-mail (x)', '"e mail" AND "x"'],
    ['col:value', '"col value"*'],
    ['NEAR(a b)', '"near a" AND "b"'],
    ['"" "', null],
    ['^start', '"start"*'],
  ];
  for (const [input, expected] of cases) t.equal(matchExpression(parseQuery(input).terms), expected, input);
});

t.test('customers have no filters: what looks like one is words', async (t) => {
  const q = parseQuery('status:pending #12', { filters: false });
  t.same(q.filters, {});
  t.equal(q.ticketId, null);
  t.same(q.terms.map((term) => term.words), [['status', 'pending'], ['12']]);
  t.equal(matchExpression(q.terms, ['subject', 'fields_public']), '{subject fields_public} : ("status pending" AND "12"*)');
});

t.test('on PostgreSQL the same terms become a tsquery: quoted words, <-> for phrases, :* while typing, weights for customers', async (t) => {
  const cases: [string, string | null][] = [
    ['printer "paper jam" toner', `'printer' & ('paper' <-> 'jam') & 'toner':*`],
    ['AND', `'and':*`],
    ['*', null],
    ["a'b OR c", `('a' <-> 'b') & 'or' & 'c':*`],
    ['e-mail (x)', `('e' <-> 'mail') & 'x'`],
    ['Café Über', `'cafe' & 'uber':*`],
    ['"" "', null],
  ];
  for (const [input, expected] of cases) t.equal(tsQueryText(parseQuery(input).terms), expected, input);
  t.equal(tsQueryText(parseQuery('paper "toner jam" cart', { filters: false }).terms, 'AC'), `'paper':AC & ('toner':AC <-> 'jam':AC) & 'cart':*AC`);
});
