/** One open event stream, as far as its lifetime is concerned: whose it is, and how to end it. */
export interface StreamOwner {
  readonly userId: number;
  /** The session it was opened with (the stored session id, a hash of the cookie). */
  readonly sessionId: string;
  close(): void;
}

/** Open streams a session may hold at once: a few tabs of tickets, not a script opening thousands. */
export const MAX_STREAMS_PER_SESSION = 20;

/**
 * Every open stream by person and by session, whatever ticket it watches: what ends a session or
 * changes what a person may see ends their streams here, and a session's share is counted here.
 */
export class StreamIndex {
  readonly #byUser = new Map<number, Set<StreamOwner>>();
  readonly #bySession = new Map<string, Set<StreamOwner>>();

  add(stream: StreamOwner): () => void {
    const inUser = put(this.#byUser, stream.userId, stream);
    const inSession = put(this.#bySession, stream.sessionId, stream);
    return () => {
      take(this.#byUser, stream.userId, inUser, stream);
      take(this.#bySession, stream.sessionId, inSession, stream);
    };
  }

  countForSession(sessionId: string): number {
    return this.#bySession.get(sessionId)?.size ?? 0;
  }

  /** End every stream of this person (each one's close removes it from the index). */
  closeUser(userId: number): void {
    for (const stream of [...(this.#byUser.get(userId) ?? [])]) stream.close();
  }

  closeSession(sessionId: string): void {
    for (const stream of [...(this.#bySession.get(sessionId) ?? [])]) stream.close();
  }
}

function put<K>(map: Map<K, Set<StreamOwner>>, key: K, stream: StreamOwner): Set<StreamOwner> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(stream);
  return set;
}

function take<K>(map: Map<K, Set<StreamOwner>>, key: K, set: Set<StreamOwner>, stream: StreamOwner): void {
  set.delete(stream);
  if (set.size === 0 && map.get(key) === set) map.delete(key);
}
