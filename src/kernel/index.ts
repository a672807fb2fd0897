// The write door (issue 17): every change to a ticket goes through these, nothing else writes
// `tickets`, `messages` or `ticket_events` (test/kernel/door.test.ts).
export { createTicket, NO_ANNOUNCE, type Announce, type Channel, type CreateTicketInput } from './create.js';
export { addMessage, rewriteFirstMessage, type AddMessageInput, type MessageContent } from './messages.js';
export { changeTicket, moveAllTickets, type ChangeNotice, type RuleMail, type TicketChange, type TicketColumns } from './change.js';
export type { CcChange, CcsChanged } from './ccs.js';
export type { TagChange, TagsChanged } from './tags.js';
export type { HistoryEntry } from './history.js';
export { addRating } from './rating.js';
export { removeTicket, type RemovalReason } from './remove.js';
export { erasePersonFromTickets, erasedValue, mergePersonRecords, type Erasure } from './people.js';
export { linkTickets, mergeTickets, splitTicket, unlinkTickets, LINK_SIDES, type MergeInput, type NewLink, type SplitInput } from './links.js';
export { snoozeTicket, unsnoozeTicket, returnSnoozed, type SnoozeReturn } from './snooze.js';
export { binTicket, restoreTicket } from './bin.js';
