import { resetTwoFactor } from './auth/two-factor.js';
import type { Config } from './config.js';
import type { Db } from './db/connect.js';
import { openDatabase } from './db/open.js';
import { allowPasswordSignIn, withdrawPasswordException } from './sso/password-exception.js';
import { findUserByEmail } from './users/queries.js';

/** The `deskbell user` commands that mend a person's sign-in from the shell (cli.ts parses their options). */

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

type Person = NonNullable<Awaited<ReturnType<typeof findUserByEmail>>>;

/** Open the desk, find the person by address (exit code 1 when nobody has it), run `act`, close. */
async function forPerson(email: string, io: Io, configure: () => Config, act: (db: Db, person: Person) => Promise<number>): Promise<number> {
  const { db } = await openDatabase(configure());
  try {
    const person = await findUserByEmail(db, email.trim().toLowerCase());
    if (!person) {
      io.err(`deskbell: nobody has the address ${email}\n`);
      return 1;
    }
    return await act(db, person);
  } finally {
    await db.destroy();
  }
}

/** `user reset-2fa --email E`: the admin's reset, from the shell (no actor: the audit log says "command"). */
export async function resetTwoFactorCommand(email: string, io: Io, configure: () => Config): Promise<number> {
  return forPerson(email, io, configure, async (db, person) => {
    const done = await resetTwoFactor(db, null, person.id);
    io.out(done === 'reset'
      ? `Two-factor sign-in of ${person.email} is reset: they sign in with their password alone (and set it up again where it is required). They will be told by mail.\n`
      : `${person.email} had no two-factor sign-in; nothing changed.\n`);
    return 0;
  });
}

/** `user allow-password --email E [--off]`: the break-glass way in past a broken single sign-on provider (sso/password-exception.ts). */
export async function allowPasswordCommand(email: string, off: boolean, io: Io, configure: () => Config): Promise<number> {
  return forPerson(email, io, configure, async (db, person) => {
    if (off) {
      const done = await withdrawPasswordException(db, person);
      io.out(done === 'withdrawn'
        ? `${person.email} no longer has an exception: the single sign-on providers decide again whether their password signs them in.\n`
        : `${person.email} had no exception; nothing changed.\n`);
      return 0;
    }
    const done = await allowPasswordSignIn(db, person);
    const disabled = (person.state === 'disabled' ? ' Their account is disabled, though: enable it too.' : '')
      + (person.password_hash ? '' : ' They have no password yet: "Forgot your password?" on the login page mails them a link to set one.');
    io.out(done === 'allowed'
      ? `${person.email} may sign in with their password again, whatever the single sign-on providers say (and with their second step, if they have one).${disabled} Withdraw it with --off once single sign-on works.\n`
      : `${person.email} already had this exception; nothing changed.${disabled}\n`);
    return 0;
  });
}
