import t from 'tap';
import { messageIdFor, replyAddress, ticketFromMessageId, ticketFromReplyAddress } from '../../src/mail/threading.js';

const config = { secretKey: 'k'.repeat(64), mailDomain: 'help.example.test', localPart: 'support' };

t.test('a reply address names its ticket only for the person it was sent to', async (t) => {
  const address = replyAddress(config, 123, 'Cora@Example.test');
  t.match(address, /^support\+123\.[A-Za-z0-9]{16}@help\.example\.test$/);
  t.equal(ticketFromReplyAddress(config, address, 'cora@example.test'), 123, 'case of the sender does not matter');
  t.equal(ticketFromReplyAddress(config, address, 'mallory@example.test'), null, 'forwarded to someone else: no match');
  t.equal(ticketFromReplyAddress(config, address.replace('+123.', '+124.'), 'cora@example.test'), null, 'another ticket number: no match');
  t.equal(ticketFromReplyAddress({ ...config, secretKey: 'other' }, address, 'cora@example.test'), null, 'another desk\'s key: no match');
  t.equal(ticketFromReplyAddress(config, address.replace('help.example.test', 'evil.test'), 'cora@example.test'), null);
  t.equal(ticketFromReplyAddress(config, 'support@help.example.test', 'cora@example.test'), null);
});

t.test('our Message-IDs carry the ticket and are recognised only for our domain', async (t) => {
  const id = messageIdFor(config, 77, 'mail-9');
  t.equal(id, '<ticket-77.mail-9@help.example.test>');
  t.equal(ticketFromMessageId(config, id), 77);
  t.equal(ticketFromMessageId(config, '<ticket-77.mail-9@elsewhere.test>'), null);
  t.equal(ticketFromMessageId(config, '<CAFxyz@mail.gmail.com>'), null);
});
