// Edits of a conversation's questions after they were asked: Restore (rewind) and its Redo, leaving an attachment out
// of later requests (or taking it back), and dropping images the API refused. Each one shows and saves the result.
import type { Conversation, Exchange } from './conversation';
import { omitImages, setAttachmentOmitted } from './attachmentsOmitted';
import { redoAnswerId, rewindConversation, unrewindConversation, type Rewound } from './rewind';

export interface TurnEditsHost {
  /** The conversation the view shows. */
  active: () => Conversation;
  now: () => number;
  log: (message: string) => void;
  busy: () => boolean;
  save: (conversation: Conversation) => Promise<void>;
  /** Stops the running answer (if any) and waits until it has ended. */
  stopAndWait: () => Promise<void>;
  switchChat: (id: string) => Promise<void>;
  retry: (answerId: string) => Promise<void>;
  postSnapshot: () => void;
  postConversations: () => void;
}

export class TurnEdits {
  constructor(private readonly host: TurnEditsHost) {}

  /**
   * Drops the images an answer's error names (over the API's limits or refused by it) from the conversation: later
   * requests send a short note instead. Then the answer is asked again when it is the last one.
   */
  async removeImages(answerId: string): Promise<void> {
    const exchange = this.host.active().findAnswer(answerId);
    const ids = new Set(exchange?.answer.error?.imageIds ?? []);
    if (!exchange || ids.size === 0 || this.host.busy()) {
      this.host.log(`Remove images ignored: answer ${answerId} names no images.`);
      return;
    }
    omitImages(this.host.active(), ids, this.host.now());
    this.host.postSnapshot();
    await this.host.save(this.host.active());
    await this.host.retry(answerId);
  }

  /**
   * Drops an attached selection, file or image of the question `userTurnId` from the context of later requests (a
   * short note takes its place), or adds it back. The turn still shows it, marked; the cost preview follows.
   */
  async setOmitted(userTurnId: string, itemId: string, omitted: boolean): Promise<boolean> {
    if (!setAttachmentOmitted(this.host.active(), userTurnId, itemId, omitted, this.host.now())) {
      this.host.log(`Omit ignored: question ${userTurnId} has no attachment ${itemId}.`);
      return false;
    }
    this.host.postSnapshot();
    await this.host.save(this.host.active());
    return true;
  }

  /**
   * Takes the question `userTurnId` and everything after it out of the active conversation (Restore; edit and resend).
   * An answer still running is stopped first. Returns what was taken out, for the composer and for Redo.
   */
  async rewind(userTurnId: string): Promise<Rewound | undefined> {
    await this.host.stopAndWait();
    const conversation = this.host.active();
    const rewound = rewindConversation(conversation, userTurnId, this.host.now());
    if (!rewound) return undefined;
    this.host.postSnapshot();
    this.host.postConversations();
    await this.host.save(conversation);
    return rewound;
  }

  /** Redo of a Restore: the exchanges it took out come back at the end of the conversation they were in. */
  async unrewind(conversationId: string, removed: readonly Exchange[]): Promise<boolean> {
    await this.host.stopAndWait();
    if (this.host.active().id !== conversationId) await this.host.switchChat(conversationId);
    const conversation = this.host.active();
    if (conversation.id !== conversationId) return false;
    unrewindConversation(conversation, removed, redoAnswerId, this.host.now());
    this.host.postSnapshot();
    await this.host.save(conversation);
    return true;
  }
}
