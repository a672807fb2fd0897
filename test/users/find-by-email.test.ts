import t from 'tap';
import { findUserByEmail } from '../../src/users/queries.js';
import { buildTestDesk } from '../helpers/app.js';
import { makeUser } from '../helpers/factories.js';

t.test('a person is found by their address whatever its case', async (t) => {
  const { db } = await buildTestDesk(t);
  const mia = await makeUser(db, 'customer', { email: 'mia@home.test' });
  t.equal((await findUserByEmail(db, 'MIA@Home.TEST '))?.id, mia.id);
  t.equal(await findUserByEmail(db, 'mia@home.tes'), undefined);
});
