import t from 'tap';
import { contentDisposition, safeFilename } from '../../src/attachments/names.js';
import { allowedLabels, DEFAULT_POLICY, isInlineImage, parseAllowedTypes, sniff } from '../../src/attachments/sniff.js';
import { BYTES } from './helpers.js';

t.test('sniff decides from the bytes', async (t) => {
  t.equal(sniff(BYTES.png), 'png');
  t.equal(sniff(BYTES.jpg), 'jpg');
  t.equal(sniff(BYTES.pdf), 'pdf');
  t.equal(sniff(BYTES.zip), 'zip');
  t.equal(sniff(Buffer.from([0x50, 0x4b, 0x05, 0x06, 0, 0])), 'zip', 'an empty archive');
  t.equal(sniff(Buffer.from('GIF89a\x01\x00')), 'gif');
  t.equal(sniff(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')])), 'webp');
  t.equal(sniff(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVEfmt ')])), 'unknown', 'RIFF is not enough');
  t.equal(sniff(BYTES.txt), 'txt');
  t.equal(sniff(Buffer.from('\uFEFF  <!doctype HTML><p>hi')), 'html');
  t.equal(sniff(Buffer.from('hello <script>alert(1)</script>')), 'html', 'a script anywhere near the start');
  t.equal(sniff(BYTES.svg), 'svg');
  t.equal(sniff(Buffer.from('<?xml version="1.0"?><svg/>')), 'svg');
  t.equal(sniff(Buffer.from('<?xml version="1.0"?><note/>')), 'xml');
  t.equal(sniff(Buffer.from([0x4d, 0x5a, 0x90, 0x00])), 'unknown', 'an executable');
  t.equal(sniff(Buffer.from('caf\xc3', 'latin1')), 'txt', 'a character cut at the end of the window is fine');
  t.equal(sniff(Buffer.from([0x66, 0xff, 0x66])), 'unknown', 'not UTF-8');
  t.equal(sniff(Buffer.alloc(0)), 'unknown');
});

t.test('the allowed list: aliases, unknown and dangerous names ignored', async (t) => {
  t.same(parseAllowedTypes('jpeg, PNG;.pdf zip'), ['jpg', 'png', 'pdf', 'zip']);
  t.same(parseAllowedTypes('svg,html,exe,txt'), ['txt']);
  t.same(parseAllowedTypes(''), []);
  t.equal(allowedLabels(DEFAULT_POLICY), 'JPG, PNG, PDF and ZIP');
  t.ok(isInlineImage('image/png'));
  t.notOk(isInlineImage('image/svg+xml'));
  t.notOk(isInlineImage('application/pdf'));
});

t.test('safe filenames and Content-Disposition', async (t) => {
  t.equal(safeFilename('../../etc/passwd'), 'passwd');
  t.equal(safeFilename('C:\\Users\\me\\report.pdf'), 'report.pdf');
  t.equal(safeFilename('a\u0000b\r\nc.png'), 'abc.png');
  t.equal(safeFilename('\u202Egpj.exe'), 'gpj.exe', 'no bidi override');
  t.equal(safeFilename('..'), 'file');
  t.equal(safeFilename('.htaccess'), 'htaccess');
  t.equal(safeFilename(''), 'file');
  t.equal(safeFilename(undefined), 'file');
  const long = safeFilename(`${'x'.repeat(300)}.pdf`);
  t.equal(long.length, 180);
  t.ok(long.endsWith('.pdf'), 'the extension survives shortening');

  t.equal(contentDisposition('report.pdf'), 'attachment; filename="report.pdf"; filename*=UTF-8\'\'report.pdf');
  t.equal(contentDisposition('photo.png', 'inline'), 'inline; filename="photo.png"; filename*=UTF-8\'\'photo.png');
  const tricky = contentDisposition('naïve "quote"\r\n%x;(1)*\'.png');
  t.notMatch(tricky, /[\r\n]/);
  t.equal(tricky, 'attachment; filename="na_ve _quote__x_(1)*\'.png"; filename*=UTF-8\'\'na%C3%AFve%20%22quote%22%25x%3B%281%29%2A%27.png');
});
