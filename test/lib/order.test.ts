// The app's own sort of a ticket's few rows (src/lib/order.ts) gives SQLite's order for text, its
// BINARY collation: UTF-8 bytes. JavaScript's `<` compares UTF-16 units and differs where a
// character beyond U+FFFF meets one from U+E000–U+FFFF.
import t from 'tap';
import { compareNullsFirst, compareText } from '../../src/lib/order.js';

const bytesOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

t.test('text in byte order: capitals, small letters, accents, private-use and astral characters', async (t) => {
  const names = ['alice', 'Bob', 'bob', 'Émile', 'zeta', 'Zoë', '', 'a', 'ab', '\uE000 private', '\uFFFD replacement', '😀 smile', '𝔸 double-struck', 'Sam', 'Sam '];
  t.same([...names].sort(compareText), [...names].sort(bytesOrder));
  t.ok(compareText('😀', '\uFFFD') > 0, 'a character beyond U+FFFF after U+FFFD, as in UTF-8 (JavaScript\'s < says before)');
  t.equal(compareText('same', 'same'), 0);
});

t.test('nulls first among numbers, as SQLite sorts them', async (t) => {
  t.same([3, null, 1, null, 2].sort(compareNullsFirst), [null, null, 1, 2, 3]);
});
