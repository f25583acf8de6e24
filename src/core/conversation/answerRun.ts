// One answer, from the request to its end: streams into the turn (deltas batched per frame), goes round the tool loop
// while the model asks for tools, shows a retry countdown, and sets the answer's status, meta and error when it ends.
import type { AnswerMeta, RetryNotice, TurnError } from '../../common/chatTypes';
import type { HostToWebview } from '../../common/protocol';
import type { ContentBlock, MessageParam, StreamEvent, Tool, ToolChoice, ToolUseBlock } from '../../api';
import { combineMeta, viewOfChange, type Conversation, type Exchange, type StoredMessage, type UserContentBuilder } from './conversation';
import { buildRequest } from './conversationRequest';
import { LiveAnswer, messagesToAnswerBlocks, type ToolView } from './conversationAnswer';
import type { DeltaBatcher } from './deltaBatcher';
import { toolDefinitions } from '../tools/definitions';
import type { ChatTools, StoredFileChange } from '../tools/types';
import { imagesBlamedBy, imagesInRequest, requestImagesError } from '../request/requestImages';
import { pauseReason, runToolRound, ToolApprovals, type ChatGrants, type ToolPolicy } from './toolLoop';
import { sentSummary } from './compactions';
import { isContextOverflow } from '../context/compaction';

/** What the request runner returns (the host's RequestRunner has this shape; it never throws). */
export interface AnswerOutcome {
  status: 'done' | 'stopped' | 'error';
  meta?: AnswerMeta;
  error?: TurnError;
}

/** An answer that was already given outside the chat (an inline explanation), as it ended. */
export interface AnsweredElsewhere {
  content: ContentBlock[];
  status: 'done' | 'stopped' | 'error';
  meta?: AnswerMeta;
  error?: TurnError;
}

/**
 * `bypassSpendingLimit`: the user chose Send Anyway on a request a spending limit held back (this once).
 * `onRetry`: the runner waits before sending the request again (429, 529, …).
 */
export interface AnswerRunOptions {
  bypassSpendingLimit?: boolean;
  onRetry?: (notice: RetryNotice) => void;
}

export interface AnswerRunner {
  run(
    /** `source`: the cost ledger's source for the request ('tool' for a tool round; the runner's own default else). */
    input: { messages: MessageParam[]; system?: string; tools?: Tool[]; toolChoice?: ToolChoice; source?: string },
    signal: AbortSignal,
    onEvent: (event: StreamEvent) => void,
    options?: AnswerRunOptions,
  ): Promise<AnswerOutcome>;
}

/** What an answer run needs from the controller around it. */
export interface AnswerRunHost {
  runner: AnswerRunner;
  userContent: UserContentBuilder;
  prefillAllowed: () => boolean;
  /** The workspace tools when they are on for this answer. */
  tools: ChatTools | undefined;
  policy: ToolPolicy;
  /** Reads the user allowed for the rest of this chat ("Allow for this chat"). */
  grants?: ChatGrants;
  post: (message: HostToWebview) => void;
  batcher: DeltaBatcher;
  now: () => number;
  disposed: () => boolean;
  saveSoon: () => void;
  /** Saves the conversation; `changed` names the only exchange changed since the last save (see ConversationSync.save). */
  save: (conversation: Conversation, options?: { changed?: Exchange; compact?: boolean }) => Promise<void>;
  /** The answer has its final status: the controller forgets the run (before the end is posted and saved). */
  ended: (run: AnswerRun) => void;
  /** The end was posted: the list and the cost preview follow. */
  settled: (conversation: Conversation) => void;
  /**
   * Compaction (issue 18 §3): before a request (and once more when the endpoint refused it as too long, `force`),
   * summarise earlier exchanges if the request would pass the budget. True when a compaction was made: the request is
   * built again, with the summary in place of those exchanges.
   */
  compact?: (run: AnswerRun, messages: MessageParam[], force: boolean, maximum?: number) => Promise<boolean>;
}

function hasToolBlocks(messages: readonly MessageParam[]): boolean {
  return messages.some((m) => typeof m.content !== 'string' && m.content.some((b) => b.type === 'tool_use' || b.type === 'tool_result'));
}

/** The tools a chat request with these messages goes with (the summary request of a compaction uses the same). */
export function requestTools(tools: ChatTools | undefined, messages: readonly MessageParam[]): { tools?: Tool[]; toolChoice?: ToolChoice } {
  if (tools) return { tools: toolDefinitions(tools.omitted?.()) };
  // Tools off, but the history holds tool calls: the definitions go along (the API wants them) and none may be called.
  return hasToolBlocks(messages) ? { tools: toolDefinitions(), toolChoice: { type: 'none' } } : {};
}

export class AnswerRun {
  /** Messages of the answer that stay as they are (earlier parts of a continued answer, earlier tool rounds). */
  private kept: StoredMessage[];
  private live: LiveAnswer;
  private readonly previousMeta: AnswerMeta | undefined;
  private readonly restarting: boolean;
  /** The exchange's place in the conversation when the answer started (the tool loop's next requests use it too). */
  private readonly index: number;
  private readonly firstRequest: ReturnType<typeof buildRequest>;
  private over = false;
  readonly abort = new AbortController();
  readonly finished: Promise<void>;
  private finish!: () => void;
  /** Tool calls waiting or running, as the view shows them (their results are in `kept` once they have one). */
  readonly toolViews = new Map<string, ToolView>();
  readonly approvals = new ToolApprovals();
  /** The wait before the request is sent again, while the view counts it down (cleared by the first stream event). */
  private retrying?: { notice: RetryNotice; at: number };

  /** Sets the answer streaming (the request is made by `start`). */
  constructor(
    readonly conversation: Conversation,
    readonly exchange: Exchange,
    private readonly mode: 'answer' | 'continue',
    private readonly host: AnswerRunHost,
    private readonly options: AnswerRunOptions = {},
  ) {
    this.finished = new Promise<void>((resolve) => (this.finish = resolve));
    const answer = exchange.answer;
    this.index = conversation.exchanges.indexOf(exchange);
    const request = (this.firstRequest = this.request(mode));
    this.restarting = mode === 'continue' || answer.messages.length > 0 || answer.status !== 'streaming';
    this.previousMeta = mode === 'continue' ? answer.meta : undefined;
    if (mode === 'answer') {
      this.kept = [];
      this.live = new LiveAnswer();
    } else if (request.continueMode === 'prefill') {
      // The prefill is the last message with its trailing whitespace trimmed (as sent); the stream extends it.
      this.kept = answer.messages.slice(0, -1);
      const last = answer.messages[answer.messages.length - 1].content.map((b) => ({ ...b }));
      const tail = last[last.length - 1];
      if (tail.type === 'text') tail.text = tail.text.trimEnd();
      this.live = new LiveAnswer(last, messagesToAnswerBlocks(this.kept).length);
    } else {
      this.kept = answer.messages;
      this.live = new LiveAnswer([], messagesToAnswerBlocks(this.kept).length);
    }
    answer.status = 'streaming';
    delete answer.error;
    delete answer.paused;
    if (mode === 'answer') delete answer.meta;
    // Changed now: this copy must win over other windows' older copies of the exchange.
    exchange.updatedAt = host.now();
  }

  private request(mode: 'answer' | 'continue'): ReturnType<typeof buildRequest> {
    const { conversation, host } = this;
    const summary = sentSummary(conversation.exchanges, conversation.compactions, this.index);
    return buildRequest(conversation.exchanges, this.index, mode, host.userContent, { prefill: host.prefillAllowed(), ...(summary ? { summary } : {}) });
  }

  /** The answer's messages as they are now: the rounds so far plus what is streaming (if anything). */
  liveMessages(): StoredMessage[] {
    const content = this.live.content();
    return content.length > 0 ? [...this.kept, { content, complete: false }] : this.kept;
  }

  stop(): void {
    this.abort.abort();
  }

  /** A (re)loaded view gets the countdown of a request that is waiting to be sent again, with the time left. */
  postRetryState(): void {
    if (!this.retrying) return;
    const { notice, at } = this.retrying;
    const delayMs = Math.max(0, notice.delayMs - (this.host.now() - at));
    this.host.post({ type: 'retrying', turnId: this.exchange.answer.id, retry: { ...notice, delayMs } });
  }

  /** Streams the answer (and its tool rounds) to its end; resolves once it is saved. */
  async start(): Promise<void> {
    const { conversation, exchange, host } = this;
    const answer = exchange.answer;
    const tools = host.tools;
    // The answer's time is the whole run's wall time (every request, tool round and approval wait), not the last request's.
    const started = host.now();
    let request = this.firstRequest;
    let requestMode = this.mode;
    if (this.restarting) {
      host.post({ type: 'turnRestarted', turnId: answer.id, blocks: messagesToAnswerBlocks([...this.kept, { content: this.live.content() }]) });
    }
    host.post({ type: 'busy', busy: true });
    // The question is on disk before its request goes out: a crash a moment later cannot lose it.
    await host.save(conversation, { changed: exchange });

    let outcome: AnswerOutcome;
    let meta = this.previousMeta;
    let rounds = 0;
    let billed = 0;
    const calledSoFar: { name: string; input: unknown }[] = [];
    // The tool loop: each answer that asks for tools gets their results in one user message, and the next answer
    // streams into the same turn, until the model is done, Stop, an error, or a pause rule stops it.
    for (;;) {
      // Compaction: a request over the budget first has the earlier exchanges summarised (and is built again).
      if (host.compact && (await host.compact(this, request.messages, false))) request = this.request(requestMode);
      outcome = this.abort.signal.aborted ? { status: 'stopped' } : await this.requestOnce(request.messages, tools);
      const overflow = outcome.status === 'error' && outcome.error ? isContextOverflow(outcome.error.message) : undefined;
      if (host.compact && overflow && !this.abort.signal.aborted && this.live.content().length === 0) {
        // Still too long for the endpoint: summarise what can be (within the maximum it named) and send it again, once.
        if (await host.compact(this, request.messages, true, overflow.maximum)) {
          request = this.request(requestMode);
          outcome = await this.requestOnce(request.messages, tools);
        }
      }
      meta = combineMeta(meta, outcome.meta);
      if (outcome.meta?.cost.kind === 'billed') billed += outcome.meta.cost.credits;
      host.batcher.flush();
      const stopReason = outcome.status === 'done' ? (outcome.meta?.stopReason ?? undefined) : undefined;
      const content = this.live.content();
      const calls = content.filter((b): b is ToolUseBlock => b.type === 'tool_use');
      const toolRound = stopReason === 'tool_use' && tools !== undefined && calls.length > 0;
      if (host.disposed() || !(toolRound || (stopReason === 'pause_turn' && content.length > 0))) break;
      const message: StoredMessage = { content, complete: true, stopReason };
      this.kept = [...this.kept, message];
      this.live = new LiveAnswer([], messagesToAnswerBlocks(this.kept).length);
      // Every continuation counts toward the question's bounds: a tool round and a pause_turn continuation alike.
      rounds++;
      if (toolRound) {
        message.toolResults = [];
        await runToolRound(
          {
            tools,
            policy: host.policy,
            approvals: this.approvals,
            signal: this.abort.signal,
            ...(host.grants ? { grants: host.grants } : {}),
            question: { id: this.exchange.user.id, conversationId: this.conversation.id },
            views: this.toolViews,
            show: (toolUseId) => this.postTool(toolUseId),
            changed: () => host.saveSoon(),
          },
          calls,
          message.toolResults,
        );
        for (const call of calls) calledSoFar.push({ name: call.name, input: call.input });
        if (this.abort.signal.aborted) {
          outcome = { status: 'stopped' };
          break;
        }
      }
      const limits = (tools ?? host.tools)?.limits();
      const pause = limits ? pauseReason(host.policy, { rounds, billedCredits: billed, calls: calledSoFar }, limits) : undefined;
      if (pause) {
        answer.paused = pause;
        break;
      }
      answer.messages = this.kept;
      requestMode = 'continue';
      request = this.request('continue');
    }

    const content = this.live.content();
    const stopReason = outcome.status === 'done' ? outcome.meta?.stopReason : undefined;
    answer.messages = content.length > 0 ? [...this.kept, { content, complete: outcome.status === 'done', ...(stopReason ? { stopReason } : {}) }] : this.kept;
    // Aborted because the window is closing: it was cut, not stopped by the user.
    answer.status = host.disposed() && outcome.status === 'stopped' ? 'interrupted' : outcome.status;
    if (meta) answer.meta = { ...meta, durationMs: (this.previousMeta?.durationMs ?? 0) + Math.max(0, host.now() - started) };
    if (outcome.error) answer.error = outcome.error;
    // The files its tools and commands changed, for the line under the answer (a checkpoint exists only if they wrote).
    const changes = rounds > 0 && !host.disposed() ? await this.fileChanges(tools ?? host.tools) : undefined;
    if (changes?.length) answer.changes = changes;
    else if (changes) delete answer.changes;
    conversation.updatedAt = host.now();
    exchange.updatedAt = conversation.updatedAt;
    this.over = true;
    host.ended(this);

    if (!host.disposed()) {
      host.post({
        type: 'turnEnded', turnId: answer.id, status: answer.status, meta: answer.meta, error: answer.error,
        ...(answer.paused ? { paused: answer.paused } : {}),
        ...(answer.changes?.length ? { changes: answer.changes.map(viewOfChange) } : {}),
      });
      host.post({ type: 'busy', busy: false });
      host.settled(conversation);
    }
    try {
      // The finished answer is on disk before the run counts as saved; a grown journal is folded in now, not mid-stream.
      await host.save(conversation, { changed: exchange, compact: true });
    } finally {
      this.finish();
    }
  }

  /** The question's changed files from its checkpoint; undefined when that cannot be known (no tools, a failure). */
  private async fileChanges(tools: ChatTools | undefined): Promise<StoredFileChange[] | undefined> {
    if (!tools?.changes) return undefined;
    try {
      return await tools.changes({ id: this.exchange.user.id, conversationId: this.conversation.id });
    } catch {
      return undefined;
    }
  }

  /** One request of the answer (the first, or the next one of the tool loop). Never throws. */
  private async requestOnce(messages: MessageParam[], tools: ChatTools | undefined): Promise<AnswerOutcome> {
    const { conversation, host } = this;
    // Images over the API's limits are caught here, before anything is sent (older conversations may hold such images).
    const imageError = requestImagesError(imagesInRequest(messages, conversation.exchanges));
    if (imageError) return { status: 'error', error: imageError };
    let outcome: AnswerOutcome;
    try {
      // A request that carries tool results is booked as a tool round (the cost view's "tool round" source).
      const source = carriesToolResults(messages) ? { source: 'tool' } : {};
      const input = { messages, ...requestTools(tools, messages), ...source };
      const onRetry = (notice: RetryNotice): void => {
        if (this.over || host.disposed()) return;
        this.retrying = { notice, at: host.now() };
        host.post({ type: 'retrying', turnId: this.exchange.answer.id, retry: notice });
      };
      outcome = await host.runner.run(input, this.abort.signal, (event) => this.onEvent(event), { ...this.options, onRetry });
    } catch (error) {
      // The runner promises not to throw; if it does, the answer still ends cleanly.
      outcome = { status: 'error', error: { code: 'api', message: error instanceof Error ? error.message : String(error), actions: ['retry', 'showLog'] } };
    }
    const blamed = outcome.error ? imagesBlamedBy(outcome.error.message, messages, conversation.exchanges) : [];
    if (outcome.error && blamed.length > 0 && /invalid_request|too_large/.test(outcome.error.code)) {
      // The API refused an image: offer to drop it, so the conversation does not fail again at every question.
      outcome = { ...outcome, error: { ...outcome.error, actions: ['removeImages', ...outcome.error.actions.filter((a) => a !== 'openSettings')], imageIds: blamed.map((image) => image.id) } };
    }
    return outcome;
  }

  /** Sends the tool call's row as it is now (its block index in the answer). */
  private postTool(toolUseId: string): void {
    if (this.over || this.host.disposed()) return;
    const blocks = messagesToAnswerBlocks(this.kept, this.toolViews);
    const index = blocks.findIndex((b) => b.kind === 'tool_use' && b.id === toolUseId);
    if (index === -1) return;
    this.host.batcher.flush();
    this.host.post({ type: 'block', turnId: this.exchange.answer.id, block: index, value: blocks[index] });
  }

  private onEvent(event: StreamEvent): void {
    if (this.over) return;
    const { host } = this;
    if (this.retrying) {
      // The request went through after a wait: the countdown goes.
      this.retrying = undefined;
      host.post({ type: 'retrying', turnId: this.exchange.answer.id, retry: null });
    }
    const update = this.live.apply(event);
    if (!update) return;
    if (update.kind === 'delta') {
      host.batcher.push(this.exchange.answer.id, update.chunk);
    } else {
      host.batcher.flush();
      host.post({ type: 'block', turnId: this.exchange.answer.id, block: update.block, value: update.value });
    }
    host.saveSoon();
  }
}

/** Whether the request's last message gives tool results back (a tool round of the loop, or Continue after a pause). */
function carriesToolResults(messages: readonly MessageParam[]): boolean {
  const last = messages[messages.length - 1];
  return last?.role === 'user' && typeof last.content !== 'string' && last.content.some((block) => block.type === 'tool_result');
}

/**
 * Issue 14 §4: whether Retry (or Send Anyway) of an answer that ended in an error goes on from its finished rounds: it
 * has a complete round of tool results (or a pause_turn message) before the failure. Drops the unfinished message.
 */
export function resumeAfterError(answer: Exchange['answer']): boolean {
  if (answer.status !== 'error') return false;
  let end = answer.messages.length;
  while (end > 0 && !answer.messages[end - 1].complete) end--;
  const last = answer.messages[end - 1];
  if (!last || !(last.toolResults !== undefined || last.stopReason === 'pause_turn')) return false;
  answer.messages = answer.messages.slice(0, end);
  return true;
}
