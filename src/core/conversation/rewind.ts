// Rewinding a conversation to before one of its questions (Edit and resend; checkpoints restore to the same point).
// Pure: no vscode, no I/O.
import type { Conversation, Exchange } from './conversation';

export interface RewindResult {
  /** The exchanges taken out, in order: the question rewound to and every later one. */
  removed: Exchange[];
  /** Workspace files their tools changed (applied edits, created files), each once, in the order first changed. */
  changedFiles: string[];
}

/**
 * Takes the exchange whose question is `userTurnId` and every later one out of `conversation`; their answer ids are
 * remembered (`conversation.removed`) so that a merge with another window's older copy does not bring them back.
 * Undefined when the conversation has no such question (nothing changes).
 */
export function rewindConversation(conversation: Conversation, userTurnId: string, now: number): RewindResult | undefined {
  const index = conversation.exchanges.findIndex((e) => e.user.id === userTurnId);
  if (index < 0) return undefined;
  const removed = conversation.exchanges.splice(index);
  for (const exchange of removed) conversation.removed.add(exchange.answer.id);
  conversation.updatedAt = Math.max(conversation.updatedAt, now);
  return { removed, changedFiles: changedFiles(removed) };
}

/** Files the tools of `exchanges` changed: the changes the user applied (or that ran without asking). */
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
