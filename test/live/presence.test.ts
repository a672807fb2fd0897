// Presence across instances, on a clock moved by hand: what another instance announces is shown
// beside this one's own viewers, and forgotten when it is not repeated within three heartbeats (the
// instance was killed) or when the instance says goodbye.
import t from 'tap';
import { Presence } from '../../src/live/presence.js';
import { parseMessage } from '../../src/live/presence-share.js';
import { PRESENCE_HEARTBEAT_MS, REMOTE_PRESENCE_TTL_MS } from '../../src/live/remote-presence.js';

const KIM = 1, DANA = 2, LEE = 3, ME = 99;
const names = new Map([[KIM, 'Kim Agent'], [DANA, 'Dana Agent'], [LEE, 'Lee Agent']]);

function presenceAt(start = 1_000_000) {
  const clock = { now: start };
  const changes: number[] = [];
  const presence = new Presence({ changed: (ticketId) => changes.push(ticketId), now: () => clock.now });
  return { presence, clock, changes, shown: (ticketId: number) => presence.list(ticketId, ME).map((p) => `${p.name}${p.replying ? ' (replying)' : ''}`) };
}

t.test('viewers announced by another instance are shown beside the local ones', async (t) => {
  const { presence, changes, shown } = presenceAt();
  const leave = presence.join(5, LEE, 'Lee Agent');
  presence.remote.heard('b', [{ ticketId: 5, viewing: [KIM, DANA], replying: [DANA] }], names);
  t.same(shown(5), ['Dana Agent (replying)', 'Kim Agent', 'Lee Agent']);
  t.same(shown(6), [], 'on their ticket only');
  t.same(changes, [5, 5], 'the staff streams of the ticket were told, once for each change');
  presence.remote.heard('b', [{ ticketId: 5, viewing: [KIM, DANA], replying: [DANA] }], names);
  t.same(changes, [5, 5], 'a heartbeat repeating the same word redraws nothing');

  presence.remote.heard('c', [{ ticketId: 5, viewing: [KIM], replying: [] }], names);
  t.same(shown(5), ['Dana Agent (replying)', 'Kim Agent', 'Lee Agent'], 'Kim on two instances is shown once');
  t.same(presence.list(5, KIM).map((p) => p.name), ['Dana Agent', 'Lee Agent'], 'and not to Kim, on whichever instance');

  presence.remote.heard('b', [{ ticketId: 5, viewing: [], replying: [] }], names);
  t.same(shown(5), ['Kim Agent', 'Lee Agent'], 'B says nobody is there any more: Dana is gone, Kim still on C');
  leave();
  t.same(presence.localState(5), { ticketId: 5, viewing: [], replying: [] }, 'what this instance announces: ids only');
});

t.test('a remote word not repeated within three heartbeats is forgotten; one repeated in time is kept', async (t) => {
  const { presence, clock, changes, shown } = presenceAt();
  presence.remote.heard('killed', [{ ticketId: 5, viewing: [KIM], replying: [] }], names);
  presence.remote.heard('alive', [{ ticketId: 5, viewing: [DANA], replying: [] }], names);
  t.equal(REMOTE_PRESENCE_TTL_MS, 3 * PRESENCE_HEARTBEAT_MS);

  for (let beat = 1; beat <= 3; beat++) {
    clock.now += PRESENCE_HEARTBEAT_MS;
    presence.remote.heard('alive', [{ ticketId: 5, viewing: [DANA], replying: [] }], names);
    presence.remote.expire();
  }
  t.same(shown(5), ['Dana Agent', 'Kim Agent'], 'three heartbeats without a word: still shown');
  changes.length = 0;

  clock.now += 1;
  t.same(shown(5), ['Dana Agent'], 'a moment later the silent instance\'s viewer is no longer listed');
  presence.remote.expire();
  t.same(changes, [5], 'and the sweep redraws the ticket for its staff');
  t.same(shown(5), ['Dana Agent']);
  presence.remote.expire();
  t.same(changes, [5], 'once');
});

t.test('an instance that says goodbye takes its viewers along at once', async (t) => {
  const { presence, changes, shown } = presenceAt();
  presence.remote.heard('b', [{ ticketId: 5, viewing: [KIM], replying: [] }, { ticketId: 7, viewing: [DANA], replying: [] }], names);
  changes.length = 0;
  presence.remote.forget('b');
  t.same([shown(5), shown(7)], [[], []]);
  t.same(changes.sort(), [5, 7]);
});

t.test('own presence changes are handed on for announcing; local typing is stamped by the clock', async (t) => {
  const { presence, clock } = presenceAt();
  const announced: number[] = [];
  presence.onLocalChange = (ticketId) => announced.push(ticketId);
  const leave = presence.join(5, KIM, 'Kim Agent');
  presence.typing(5, KIM, 'Kim Agent');
  t.same(presence.localState(5), { ticketId: 5, viewing: [KIM], replying: [KIM] });
  clock.now += 9_000;
  t.same(presence.localState(5), { ticketId: 5, viewing: [KIM], replying: [] }, 'typing ends after a quiet while');
  presence.remote.heard('b', [{ ticketId: 5, viewing: [DANA], replying: [] }], names);
  leave();
  t.same(announced, [5, 5, 5], 'join, typing, leave: not what was heard from others');
  t.same(presence.localTickets(), [], 'nobody here');
  presence.clear();
});

t.test('announcements that are not well-formed are dropped', async (t) => {
  t.same(parseMessage('{"i":"b","s":[[5,[1,2],[2]]],"ask":1}'), { i: 'b', s: [[5, [1, 2], [2]]], ask: 1 });
  t.same(parseMessage('{"i":"b","bye":1}'), { i: 'b', bye: 1 });
  for (const bad of ['', 'nonsense', 'null', '[]', '{"s":[]}', '{"i":"","s":[]}', '{"i":"b","s":[[5,["x"],[]]]}',
    '{"i":"b","s":[[0,[1],[]]]}', '{"i":"b","s":[[5,[1]]]}', '{"i":"b","s":[[5,[1.5],[]]]}', '{"i":"b"}']) {
    t.equal(parseMessage(bad), null, bad || '(empty)');
  }
});
