import t from 'tap';
import { htmlToText, loadSanitizer, messageBody, sanitizeMailHtml, stripQuoted } from '../../src/mailin/content.js';

await loadSanitizer();

t.test('quoted history and signatures are cut in the styles of the common mail clients', async (t) => {
  t.equal(stripQuoted('Works now.\n\nOn Tue, 3 Mar 2026 at 10:02, Help Desk <support@desk.test>\nwrote:\n\n> Try again\n'), 'Works now.', 'Gmail, wrapped attribution');
  t.equal(stripQuoted('Still broken.\n\nKind regards\nCasey\n\n________________________________\nFrom: Help Desk <s@d.test>\nSent: 03 March 2026 10:02\nTo: Casey\n\nold'), 'Still broken.\n\nKind regards\nCasey', 'Outlook');
  t.equal(stripQuoted('Yes.\n\n-----Original Message-----\nFrom: Help Desk\nSent: today\n\nold'), 'Yes.', 'Outlook, classic');
  t.equal(stripQuoted('Fixed.\n\nSent from my iPhone\n\n> On 3 Mar 2026, at 13:05, Help Desk <s@d.test> wrote:\n>\n> old'), 'Fixed.', 'Apple Mail on iPhone');
  t.equal(stripQuoted('Also jammed.\n\nOn 03/03/2026 13:05, Help Desk wrote:\n> old\n\n-- \nCasey\nACME'), 'Also jammed.', 'Thunderbird with a signature');
  t.equal(stripQuoted('Merci.\n\nLe mar. 3 mars 2026 à 10:02, Help Desk <s@d.test> a écrit :\n> old'), 'Merci.', 'a French Gmail');
  t.equal(stripQuoted('> only a quote\n> nothing else'), '> only a quote\n> nothing else', 'a mail that is only a quote keeps its text');
});

t.test('inbound HTML keeps text and links, and loses everything that could run or track', async (t) => {
  const html = sanitizeMailHtml('<p onclick="x()" hx-get="/admin" style="color:red">Hi <a href="https://ok.test/a" onmouseover="y()">link</a>'
    + '<img src="https://tracker.test/p.gif" alt="pixel"><img src="cid:abc"></p><script>bad()</script><style>p{}</style>'
    + '<iframe src="https://evil.test">f</iframe><form action="https://evil.test"><input name="q"></form><meta http-equiv="refresh" content="0">'
    + '<a href="javascript:alert(1)">js</a>');
  t.notMatch(html, /onclick|onmouseover|hx-get|style=|<script|bad\(\)|<iframe|<form|<input|<meta|<img|javascript:|cid:/);
  t.match(html, /<a href="https:\/\/ok\.test\/a" rel="noopener noreferrer nofollow ugc" target="_blank">link<\/a>/);
  t.match(html, /<a href="https:\/\/tracker\.test\/p\.gif"[^>]*>pixel<\/a>/, 'a remote image becomes a link');
});

t.test('an HTML-only mail gets its text from the HTML, without the quote', async (t) => {
  t.equal(htmlToText('<div>Hello &amp; welcome<br>line two</div><blockquote>old</blockquote>'), 'Hello & welcome\nline two\n\n> old');
  const body = messageBody({ html: '<div>New text</div><div class="gmail_quote">On Mon wrote:<blockquote>old</blockquote></div>' }, 'none');
  t.equal(body.text, 'New text');
  t.notMatch(body.html, /old/);
  t.same(messageBody({ text: '', html: false }, '(no text)').text, '(no text)');
});
