import t from 'tap';
import { htmlToText, loadSanitizer, messageBody, sanitizeMailHtml, stripQuoted } from '../../src/mailin/content.js';

await loadSanitizer();

t.test('quoted history and signatures are cut in the styles of the common mail clients', async (t) => {
  t.equal(stripQuoted('Works now.\n\nOn Tue, 3 Mar 2026 at 10:02, Help Desk <support@desk.test>\nwrote:\n\n> Try again\n'), 'Works now.', 'Gmail, wrapped attribution');
  t.equal(stripQuoted('Still broken.\n\nKind regards\nCasey\n\n________________________________\nFrom: Help Desk <s@d.test>\nSent: 03 March 2026 10:02\nTo: Casey\n\nold'), 'Still broken.', 'Outlook, its sign-off too');
  t.equal(stripQuoted('Yes.\n\n-----Original Message-----\nFrom: Help Desk\nSent: today\n\nold'), 'Yes.', 'Outlook, classic');
  t.equal(stripQuoted('Fixed.\n\nSent from my iPhone\n\n> On 3 Mar 2026, at 13:05, Help Desk <s@d.test> wrote:\n>\n> old'), 'Fixed.', 'Apple Mail on iPhone');
  t.equal(stripQuoted('Also jammed.\n\nOn 03/03/2026 13:05, Help Desk wrote:\n> old\n\n-- \nCasey\nACME'), 'Also jammed.', 'Thunderbird with a signature');
  t.equal(stripQuoted('Merci.\n\nLe mar. 3 mars 2026 à 10:02, Help Desk <s@d.test> a écrit :\n> old'), 'Merci.', 'a French Gmail');
  t.equal(stripQuoted('> only a quote\n> nothing else'), '> only a quote\n> nothing else', 'a mail that is only a quote keeps its text');
});

t.test('a short sign-off block at the end of the sender\'s own text is cut; "Thanks!" alone, "Thanks for …" and longer blocks stay', async (t) => {
  const quote = '\n\nOn Tue, 3 Mar 2026 at 10:02, Help Desk <s@d.test> wrote:\n> old';
  t.equal(stripQuoted(`Works now.\n\nKind regards,\nCasey Jones\nACME Ltd.${quote}`), 'Works now.', 'English, with a name and a company');
  t.equal(stripQuoted('Läuft wieder.\n\nMit freundlichen Grüßen\nMax Mustermann'), 'Läuft wieder.', 'German, in a new mail');
  t.equal(stripQuoted('C\'est réglé.\n\nCordialement,\nJean'), 'C\'est réglé.', 'French');
  t.equal(stripQuoted('Готово.\n\nС уважением,\nИван'), 'Готово.', 'Russian');
  t.equal(stripQuoted(`Thanks!${quote}`), 'Thanks!', 'a reply that is only "Thanks!"');
  t.equal(stripQuoted(`Thanks!\nCasey${quote}`), 'Thanks!\nCasey', 'or "Thanks!" and a name');
  t.equal(stripQuoted('Hi team,\n\nThanks!'), 'Hi team,\n\nThanks!', 'a greeting is not words of the sender\'s own');
  t.equal(stripQuoted('I restarted it.\n\nThanks for the quick fix, it works now.\nCasey'), 'I restarted it.\n\nThanks for the quick fix, it works now.\nCasey', '"Thanks for …" is content');
  t.equal(stripQuoted('Fixed.\n\nCheers,\nCasey\n\nP.S. Could you send toner?'), 'Fixed.\n\nCheers,\nCasey\n\nP.S. Could you send toner?', 'more text after it');
  t.equal(stripQuoted('Fixed.\n\nRegards,\nCasey Jones\nOffice manager\nACME Ltd.\n+44 20 7946 0000'), 'Fixed.\n\nRegards,\nCasey Jones\nOffice manager\nACME Ltd.\n+44 20 7946 0000', 'four lines under it');

  const html = messageBody({ html: '<p>Fixed.</p><p>Best regards,<br>Casey</p><div class="gmail_quote">On Mon wrote:<blockquote>old</blockquote></div>' }, '-');
  t.equal(html.text, 'Fixed.', 'an HTML-only mail loses its sign-off');
  t.notMatch(html.html, 'Best regards', 'in the HTML shown too');
  t.match(html.quoted, 'Best regards,\nCasey', 'which stays in the whole text');
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
