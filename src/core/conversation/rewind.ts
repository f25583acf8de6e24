// Rewinding a conversation to before one of its questions (Restore of issue 17; edit-and-resend of issue 20 uses it
// too): the question and everything after it leave the conversation, their answer ids are remembered as removed (so no
// other window's copy brings them back when the copies merge), and the question's input is returned for the composer.
import type { Conversation, Exchange, UserInput } from './conversation';

export interface Rewound {
  /** The exchanges taken out, oldest first (Redo puts them back). */
  removed: Exchange[];
  /** The question as it was asked: it goes back into the composer. */
  question: UserInput;
}

/** Takes the question `userTurnId` and every later exchange out of `conversation`; undefined when it has no such question. */
export function rewindConversation(conversation: Conversation, userTurnId: string, now: number): Rewound | undefined {
  const index = conversation.exchanges.findIndex((e) => e.user.id === userTurnId);
  if (index === -1) return undefined;
  const removed = conversation.exchanges.splice(index);
  for (const exchange of removed) if (!conversation.removed.includes(exchange.answer.id)) conversation.removed.push(exchange.answer.id);
  conversation.updatedAt = now;
  const { text, context, images } = removed[0].user;
  return { removed, question: { text, context, images } };
}

/**
 * Puts rewound exchanges back at the end (Redo). Their answers get new ids: the old ones stay removed, so a copy saved
 * before the rewind cannot bring a second copy back. The new id follows from the old one and a question already back
 * is skipped, so a Redo applied twice (a second window, a second click) brings each exchange back once.
 */
export function unrewindConversation(conversation: Conversation, removed: readonly Exchange[], newId: (oldId: string) => string = redoAnswerId, now: number = Date.now()): Exchange[] {
  const present = new Set(conversation.exchanges.map((e) => e.user.id));
  const back = removed.filter((e) => !present.has(e.user.id)).map((e) => ({ ...e, answer: { ...e.answer, id: newId(e.answer.id) }, updatedAt: now }));
  conversation.exchanges.push(...back);
  conversation.updatedAt = now;
  return back;
}

/** The id a Redo gives an answer back: derived from its id before, so every window derives the same one. */
export function redoAnswerId(oldId: string): string {
  return `${oldId}-redo`;
}

/** Files the tools of `exchanges` changed (applied edits, created files), each once, in the order first changed. */
export function changedFiles(exchanges: readonly Exchange[]): string[] {
  const files = new Set<string>();
  for (const exchange of exchanges) {
    for (const message of exchange.answer.messages) {
      for (const result of message.toolResults ?? []) {
        if (result.change && (result.state === 'applied' || result.state === 'done')) files.add(result.change.path);
      }
    }
  }
  return [...files];
}
