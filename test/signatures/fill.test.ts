import t from 'tap';
import { renderMarkdown } from '../../src/messages/markdown.js';
import { fillSignature, unknownPlaceholders } from '../../src/signatures/signatures.js';

const subject = (name: string, email = 'kim@desk.test') => ({ agent: { name, email }, brand: { name: 'Main Desk' } });

t.test('placeholders are filled as literal text: a name never formats, links or injects', async (t) => {
  t.equal(fillSignature('{{agent.name}} <{{ agent.email }}> · {{brand.name}}', subject('Jean-Luc O. Smith')), 'Jean-Luc O. Smith <kim@desk.test> · Main Desk',
    'dots, dashes and @ stay as typed (the mail\'s text part shows them)');
  t.equal(fillSignature('{{agent.first_name}}', subject('  Kim   Agent ')), 'Kim');
  const hostile = fillSignature('Hi {{agent.name}}', subject('*Bob* [x](javascript:alert(1)) <script>&amp;'));
  const html = renderMarkdown(hostile);
  t.match(html, '*Bob*', 'no emphasis');
  t.notMatch(html, '<a ', 'no link');
  t.notMatch(html, '<script', 'no script');
  t.match(html, '&amp;amp;', 'an entity stays text');
  t.notMatch(renderMarkdown(fillSignature('{{agent.name}}', subject('# Boss'))), '<h1>', 'a leading # is no heading');
  t.equal(renderMarkdown(fillSignature('{{agent.name}}', subject('1. First'))), '<p>1. First</p>\n', 'nor a leading number a list');
  t.equal(renderMarkdown(fillSignature('{{agent.name}}', subject('- Kim'))), '<p>- Kim</p>\n');
  t.equal(fillSignature('{{ticket.id}}', subject('Kim')), '{{ticket.id}}', 'an unknown placeholder is left alone (the form refuses it)');
  t.same(unknownPlaceholders('{{agent.name}} {{ ticket.id }} {{brand.name}} {{x}}'), ['ticket.id', 'x']);
});
