import t from 'tap';
import { parseAuthResults, topAuthResults, verifiedSender } from '../../src/mailin/authres.js';

const OPENDMARC = 'mx.desk.test; dmarc=pass (p=reject dis=none) header.from=customer.test';
const GMAIL_STYLE = 'mx.desk.test;\r\n dkim=pass header.i=@customer.test header.s=2024a header.b=Ab/+9x==;\r\n'
  + ' spf=pass (mx.desk.test: domain of casey@customer.test designates 192.0.2.7 as permitted sender; good) smtp.mailfrom=casey@customer.test;\r\n'
  + ' dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=customer.test';
const RSPAMD = 'mx.desk.test;\r\n\tdkim=pass header.d=mail.customer.test header.s=dkim header.b="sig; with (parens)";\r\n\tspf=fail (mx.desk.test: domain of x@other.test is not allowed) smtp.mailfrom=x@other.test;\r\n\tdmarc=none';

t.test('Authentication-Results headers as MTAs write them are read', async (t) => {
  t.same(parseAuthResults(OPENDMARC), { authservId: 'mx.desk.test', results: [{ method: 'dmarc', result: 'pass', props: { 'header.from': 'customer.test' } }] });
  const gmail = parseAuthResults(GMAIL_STYLE.replace(/\r\n/g, ''))!;
  t.same(gmail.results.map((r) => [r.method, r.result]), [['dkim', 'pass'], ['spf', 'pass'], ['dmarc', 'pass']], 'a comment holding ";" does not split a result');
  t.equal(gmail.results[0]!.props['header.b'], 'Ab/+9x==');
  const rspamd = parseAuthResults(RSPAMD.replace(/\r\n/g, ''))!;
  t.equal(rspamd.results[0]!.props['header.b'], 'sig; with (parens)', 'quoted values keep ; and ( )');
  t.same(rspamd.results.map((r) => r.method), ['dkim', 'spf', 'dmarc']);
  t.same(parseAuthResults('"mx.desk.test" 1; none'), { authservId: 'mx.desk.test', results: [] }, 'quoted id, version, no result');
  t.same(parseAuthResults('MX.Desk.Test (nested (comment) here); dkim/1 = pass reason="good" header.d=customer.test')?.results,
    [{ method: 'dkim', result: 'pass', props: { reason: 'good', 'header.d': 'customer.test' } }], 'nested comments, method version, spaces');
  t.equal(parseAuthResults('mx.desk.test; dmarc=pass (unclosed header.from=customer.test'), null, 'an unbalanced comment: not believed at all');
  t.equal(parseAuthResults('mx.desk.test extra=junk; dmarc=pass header.from=customer.test'), null, 'no key=value in the authserv-id');
  t.same(parseAuthResults('mx.desk.test; dmarc=pass header.from=customer.test junk; spf=pass smtp.mailfrom=customer.test')?.results.map((r) => r.method), ['spf'],
    'a result that breaks the grammar is left out');
});

t.test('a sender is verified by DMARC, an aligned DKIM signature, or SPF for the From domain, from a trusted MTA only', async (t) => {
  const trusted = ['mx.desk.test'];
  t.equal(verifiedSender([OPENDMARC], 'casey@customer.test', trusted), 'dmarc');
  t.equal(verifiedSender([OPENDMARC], 'casey@customer.test', []), null, 'no trusted MTA configured: nothing is believed');
  t.equal(verifiedSender([OPENDMARC], 'casey@customer.test', ['mx.other.test']), null, 'an MTA not named');
  t.equal(verifiedSender([OPENDMARC], 'mallory@evil.test', trusted), null, 'DMARC passed for another domain');
  t.equal(verifiedSender(['mx.desk.test; dkim=pass header.d=customer.test'], 'casey@mail.customer.test', trusted), 'dkim', 'relaxed alignment');
  t.equal(verifiedSender(['mx.desk.test; dkim=pass header.d=evil.test'], 'casey@customer.test', trusted), null, 'a signature of another domain');
  t.equal(verifiedSender(['mx.desk.test; dkim=pass header.d=test'], 'casey@customer.test', trusted), null, 'never a one-label domain');
  t.equal(verifiedSender(['mx.desk.test; dkim=fail header.d=customer.test'], 'casey@customer.test', trusted), null);
  t.equal(verifiedSender(['mx.desk.test; spf=pass smtp.mailfrom=bounce@customer.test'], 'casey@customer.test', trusted), 'spf');
  t.equal(verifiedSender(['mx.desk.test; spf=pass smtp.mailfrom=bounce@mailer.test'], 'casey@customer.test', trusted), null, 'SPF for the envelope of another domain');
  t.equal(verifiedSender([RSPAMD.replace(/\r\n/g, '')], 'casey@mail.customer.test', trusted), 'dkim');
  t.equal(verifiedSender([RSPAMD.replace(/\r\n/g, '')], 'casey@customer.test', trusted), null, 'a subdomain\'s signature does not vouch for its parent');
  t.equal(verifiedSender(['mx.desk.test; dmarc=fail header.from=customer.test', OPENDMARC], 'casey@customer.test', trusted), null,
    'the first header of a trusted MTA is its verdict; a pass below it is not added');
  t.equal(verifiedSender(['mx.other.test; dmarc=pass header.from=customer.test', OPENDMARC], 'casey@customer.test', trusted), 'dmarc',
    'headers of other servers are skipped');
});

t.test('only headers the last MTA wrote count: above its Received line, or right below it', async (t) => {
  const line = (key: string, value: string) => ({ key: key.toLowerCase(), line: `${key}: ${value}` });
  const ar = (id: string) => line('Authentication-Results', `${id}; dmarc=pass header.from=customer.test`);
  const received = line('Received', 'from a by mx.desk.test; Tue, 3 Mar 2026 10:00:00 +0000');
  t.same(topAuthResults([ar('top'), received, ar('milter'), line('DMARC-Filter', 'OpenDMARC'), ar('milter2'), line('From', 'x'), ar('sender')]),
    ['top; dmarc=pass header.from=customer.test', 'milter; dmarc=pass header.from=customer.test', 'milter2; dmarc=pass header.from=customer.test']);
  t.same(topAuthResults([received, line('Received', 'from b by c'), ar('below-hop')]), [], 'behind an earlier hop: written before it reached us');
  t.same(topAuthResults([ar('only')]), ['only; dmarc=pass header.from=customer.test'], 'no Received line at all: all of it came from the MTA');
  t.same(topAuthResults([line('Authentication-Results', 'mx.desk.test;\r\n dmarc=pass\r\n\theader.from=customer.test')]),
    ['mx.desk.test; dmarc=pass header.from=customer.test'], 'folded lines are unfolded');
});
