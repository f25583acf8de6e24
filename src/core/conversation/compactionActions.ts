// The chat's compaction actions (issue 18 §3): Compact on demand, the user's edit and Undo of a summary, and the
// automatic compaction before an answer's request. One summary's request and reading are compactionRun.ts.
import type { MessageParam } from '../../api';
import type { HostToWebview } from '../../common/protocol';
import { DEFAULT_COMPACT_AT } from '../context/compaction';
import type { PreviewSettings } from '../cost/costPreview';
import type { ChatTools } from '../tools/types';
import { requestTools, type AnswerRun, type AnswerRunner } from './answerRun';
import { autoCompactionThrough, manualCompactionThrough, summarise, type CompactionHost, type CompactionSettings } from './compactionRun';
import { canUndo, compactionRow, type Compaction } from './compactions';
import type { Conversation, UserContentBuilder } from './conversation';

export interface CompactionActionsHost {
  runner: AnswerRunner;
  userContent: UserContentBuilder;
  post: (message: HostToWebview) => void;
  log: (message: string) => void;
  now: () => number;
  newId: () => string;
  /** The workspace tools when they are on (their declarations are part of what a request sends). */
  tools: () => ChatTools | undefined;
  previewSettings?: () => PreviewSettings;
  /** The conversation the view shows. */
  active: () => Conversation;
  /** An answer or a compaction is running. */
  busy: () => boolean;
  disposed: () => boolean;
  save: (conversation: Conversation) => Promise<void>;
  postEstimate: () => void;
  postSnapshot: () => void;
}

export class CompactionActions {
  /** An on-demand compaction (Compact) in progress: Stop aborts it. */
  private compacting: { abort: AbortController; done: Promise<unknown> } | undefined;

  constructor(private readonly host: CompactionActionsHost) {}

  get running(): boolean {
    return this.compacting !== undefined;
  }

  /** Resolves when the on-demand compaction in progress (if any) has ended. */
  get done(): Promise<unknown> | undefined {
    return this.compacting?.done;
  }

  stop(): void {
    this.compacting?.abort.abort();
  }

  /**
   * The Compact action (issue 18 §3): summarises every exchange so far in one request, even under the threshold; from
   * the next question on the summary is sent in their place. Says why when there is nothing to compact or it failed.
   */
  async compact(): Promise<boolean> {
    if (this.host.busy()) {
      this.host.post({ type: 'notice', level: 'info', message: 'Compact waits for the answer to finish: stop it or try again when it is done.' });
      return false;
    }
    const conversation = this.host.active();
    const through = manualCompactionThrough(conversation);
    if (through === undefined) {
      this.host.post({ type: 'notice', level: 'info', message: conversation.isEmpty ? 'Nothing to compact yet: ask a question first.' : 'Nothing to compact: every answered question is already in the summary.' });
      return false;
    }
    const abort = new AbortController();
    let finish!: () => void;
    this.compacting = { abort, done: new Promise<void>((resolve) => (finish = resolve)) };
    this.host.post({ type: 'busy', busy: true });
    try {
      const result = await summarise(this.compactionHost(), conversation, through, { trigger: 'manual', signal: abort.signal, settings: this.settings() });
      if ('error' in result && !result.stopped) this.host.post({ type: 'notice', level: 'error', message: `The chat could not be compacted: ${result.error}.` });
      return 'compaction' in result;
    } finally {
      this.compacting = undefined;
      finish();
      if (!this.host.disposed()) {
        this.host.post({ type: 'busy', busy: false });
        this.host.postEstimate();
      }
    }
  }

  /** The user's edit of a summary: the edited text is what is sent from now on. */
  async edit(id: string, summary: string): Promise<boolean> {
    const conversation = this.host.active();
    const compaction = conversation.compactions.find((c) => c.id === id && !c.undone);
    const text = summary.trim();
    if (!compaction || text === '') {
      this.host.log(`Compaction edit ignored: no compaction ${id} in this chat.`);
      return false;
    }
    const changed = text !== compaction.summary;
    if (changed) {
      compaction.summary = text;
      compaction.edited = true;
    }
    return this.changed(conversation, compaction, changed);
  }

  /** Undo of a compaction, until the next question: the full exchanges are sent again. */
  async undo(id: string): Promise<boolean> {
    const conversation = this.host.active();
    const compaction = conversation.compactions.find((c) => c.id === id);
    if (!compaction || !canUndo(conversation.exchanges, conversation.compactions, compaction)) {
      this.host.log(`Compaction undo ignored: ${id} cannot be undone (a question came after it, or it is not in this chat).`);
      this.host.postSnapshot();
      return false;
    }
    compaction.undone = true;
    return this.changed(conversation, compaction, true);
  }

  /** After the user's edit or Undo (`stamp`: it changed something): the row and the estimate again, the chat saved. */
  private async changed(conversation: Conversation, compaction: Compaction, stamp: boolean): Promise<true> {
    if (stamp) {
      compaction.updatedAt = this.host.now();
      conversation.updatedAt = compaction.updatedAt;
    }
    this.postRow(compaction.throughAnswerId);
    this.host.postEstimate();
    await this.host.save(conversation);
    return true;
  }

  /** The summary row under answer `answerId` of the active conversation, as it now is (none: null). */
  postRow(answerId: string): void {
    if (this.host.disposed()) return;
    const conversation = this.host.active();
    this.host.post({ type: 'compaction', turnId: answerId, compaction: compactionRow(conversation.exchanges, conversation.compactions, answerId) ?? null });
  }

  /** Before a request of an answer: summarise earlier exchanges when the request would pass the budget. */
  async auto(run: AnswerRun, messages: MessageParam[], force: boolean, maximum?: number): Promise<boolean> {
    const configured = this.settings();
    if (!configured) return false;
    // The endpoint named its maximum (it refused the request as too long): that is the window to fit.
    const settings = maximum && maximum > 0 ? { ...configured, contextLength: Math.min(configured.contextLength ?? maximum, maximum) } : configured;
    const index = run.conversation.exchanges.indexOf(run.exchange);
    const through = autoCompactionThrough(run.conversation, index, messages, settings, this.host.userContent, force);
    if (through === undefined) return false;
    const result = await summarise(this.compactionHost(), run.conversation, through, { trigger: 'auto', signal: run.abort.signal, duringAnswerId: run.exchange.answer.id, settings });
    return 'compaction' in result;
  }

  /** What compaction measures a request against: the window, compactAt, and the system prompt and tools sent. */
  private settings(): CompactionSettings | undefined {
    const settings = this.host.previewSettings?.();
    if (!settings) return undefined;
    return {
      compactAt: settings.compactAt ?? DEFAULT_COMPACT_AT,
      ...(settings.contextLength ? { contextLength: settings.contextLength } : {}),
      ...(settings.system ? { system: settings.system } : {}),
      ...(settings.tools ? { tools: settings.tools } : {}),
    };
  }

  private compactionHost(): CompactionHost {
    const tools = this.host.tools();
    return {
      runner: this.host.runner,
      userContent: this.host.userContent,
      post: (message) => {
        if (!this.host.disposed()) this.host.post(message);
      },
      save: (conversation) => this.host.save(conversation),
      now: this.host.now,
      newId: this.host.newId,
      log: this.host.log,
      requestTools: (messages) => requestTools(tools, messages),
    };
  }
}
