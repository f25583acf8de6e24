// The one answer this window is streaming (at most one at a time): starting it, stopping it, the text streamed so far
// for a repaint, the Apply / Reject of its tool cards, and the "Allow for this chat" grants its reads use.
import type { Conversation, Exchange, StoredMessage } from './conversation';
import type { ToolView } from './conversationAnswer';
import { AnswerRun, type AnswerRunHost, type AnswerRunOptions } from './answerRun';
import type { ChatGrants } from './toolLoop';
import type { ChatTools } from '../tools/types';

export interface RunningAnswerHost extends Omit<AnswerRunHost, 'tools' | 'grants' | 'ended'> {
  /** The workspace tools when they are on. */
  tools: () => ChatTools | undefined;
  /** An answer of `conversation` has ended (its place in the list changed). */
  touched: (conversation: Conversation) => void;
  log: (message: string) => void;
}

/** The text streamed so far, in place of the saved answer (for a snapshot or an export). */
export interface LiveOverride {
  answerId: string;
  messages: StoredMessage[];
  tools: ReadonlyMap<string, ToolView>;
}

export class RunningAnswer {
  private run: AnswerRun | undefined;
  /** Reads allowed with "Allow for this chat", per conversation id (memory only). */
  private readonly chatGrants = new Map<string, ChatGrants>();

  constructor(private readonly host: RunningAnswerHost) {}

  /** The answer streaming now, if any. */
  get current(): AnswerRun | undefined {
    return this.run;
  }

  async start(conversation: Conversation, exchange: Exchange, mode: 'answer' | 'continue', options: AnswerRunOptions = {}): Promise<void> {
    const { tools, touched, ...host } = this.host;
    const run = new AnswerRun(conversation, exchange, mode, {
      ...host,
      tools: tools(),
      grants: this.grantsFor(conversation.id),
      ended: (ended) => {
        touched(ended.conversation);
        if (this.run === ended) this.run = undefined;
      },
    }, options);
    this.run = run;
    await run.start();
  }

  stop(): void {
    this.run?.stop();
  }

  async stopAndWait(): Promise<void> {
    const run = this.run;
    if (!run) return;
    run.stop();
    await run.finished;
  }

  /** Resolves when the running answer (if any) has ended. */
  async finished(): Promise<void> {
    await this.run?.finished;
  }

  /** What `active` shows of the running answer, when it is that conversation's. */
  liveOverride(active: Conversation): LiveOverride | undefined {
    const run = this.run;
    if (!run || run.conversation !== active) return undefined;
    return { answerId: run.exchange.answer.id, messages: run.liveMessages(), tools: run.toolViews };
  }

  /** A (re)loaded view gets the countdown of a request that is waiting to be sent again, with the time left. */
  postRetryState(active: Conversation): void {
    if (this.run?.conversation !== active) return;
    this.run.postRetryState();
  }

  /** The user's Apply / Reject (Allow / Deny / Allow for this chat on a read) on a card of the running answer. */
  decideTool(turnId: string, toolUseId: string, decision: 'apply' | 'allowForChat' | 'reject'): void {
    const run = this.run;
    if (!run || run.exchange.answer.id !== turnId || !run.approvals.decide(toolUseId, decision)) {
      this.host.log(`Tool decision ignored: no card waits for ${toolUseId}.`);
    }
  }

  /** The tool calls waiting for Apply / Reject. */
  pendingApprovals(): string[] {
    return this.run?.approvals.pending() ?? [];
  }

  /** "Allow for this chat" reads of one conversation, for this window's session (never saved: a reload asks again). */
  private grantsFor(conversationId: string): ChatGrants {
    let grants = this.chatGrants.get(conversationId);
    if (!grants) this.chatGrants.set(conversationId, (grants = new Set()));
    return grants;
  }
}
