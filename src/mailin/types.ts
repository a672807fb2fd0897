// The shapes the mail-in pipeline hands along (receive.ts -> deliver.ts -> untrusted.ts). They live
// in this leaf, which imports no step of the pipeline, so each step imports the next one only and
// the imports in src/mailin/ run one way (test/meta/layers.test.ts).

import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { User } from '../db/schema.js';
import type { MailContext } from '../mail/context.js';
import type { MessageBody } from './content.js';
import type { MatchReason } from './match.js';
import type { InboundMail, Person } from './parse.js';
import type { MailTrustSettings, Proof } from './trust.js';

export interface MailInDeps {
  db: Db;
  config: Pick<Config, 'secretKey' | 'mailDomain' | 'uploadsDir'>;
  mail: MailContext;
}

export type Outcome =
  | { status: 'stored'; ticketId: number; reason: MatchReason; created: boolean }
  | { status: 'duplicate' }
  | { status: 'dropped'; why: 'spam' | 'own' | 'disabled' | 'receipt' | 'noSender' }
  | { status: 'complaint'; ticketId: number | null; address: string }
  | { status: 'refused'; why: 'closed' | 'newCustomer' | 'unverified'; ticketId: number | null }
  | { status: 'bounce'; ticketId: number | null };

/** One mail on its way to a ticket, with everything the pipeline learnt about it. */
export interface Delivery {
  deps: MailInDeps;
  raw: Buffer;
  mail: InboundMail;
  body: MessageBody;
  automatic: boolean;
  settings: MailTrustSettings;
  /** What vouches for the sender beyond the From line (trust.ts). */
  proof: Proof;
  own: Set<string>;
  /** The other people in To and Cc (not us, not the sender). */
  others: Person[];
  sender: User;
}
