// The message log: the turns of the open conversation, the streaming answers' frame commits, following the answer
// as it grows, and the screen-reader announcement of finished answers.
import type { AnswerBlock, AnswerMeta, AnswerStatus, AssistantTurn, DeltaChunk, Turn, TurnError, UserTurn, WebviewToHost } from '../protocol';
import { handleAnswerClick } from './answerActions';
import { AssistantTurnView } from './assistantTurn';
import { h } from './dom';
import type { MarkdownRenderer } from './markdown';
import { renderUserTurn } from './userTurn';

/** How close to the bottom (px) still counts as "at the bottom" for following the answer. */
const BOTTOM_SLACK = 40;
/** How much of a finished answer the screen-reader announcement reads; the rest is in the log. */
const ANNOUNCE_CHARS = 300;

export interface ConversationViewInput {
  renderer: MarkdownRenderer;
  post(message: WebviewToHost): void;
  /** The scroll position or the following state changed (the app saves it with the webview state). */
  onScrollChange(): void;
}

export class ConversationView {
  /** The log itself, and the polite live region that reads finished answers; the app places both. */
  readonly element: HTMLElement;
  readonly announcer: HTMLElement;
  private readonly views = new Map<string, AssistantTurnView>();
  private following = true;
  private frame = 0;

  constructor(private readonly input: ConversationViewInput) {
    // A log, but not a live one: the streaming tail is replaced every frame and a snapshot re-adds the whole chat,
    // which screen readers would read out piece by piece. Finished answers are announced through #announcer.
    this.element = h('main', { id: 'messages', role: 'log', 'aria-label': 'Conversation', 'aria-live': 'off', tabindex: '0' });
    this.announcer = h('div', { id: 'announcer', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    const actions = { renderer: input.renderer, post: input.post, announce: (text: string) => this.announce(text) };
    this.element.addEventListener('click', (e) => handleAnswerClick(e, actions));
    this.element.addEventListener('auxclick', (e) => { if ((e.target as Element).closest('a')) e.preventDefault(); });
    this.element.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.element.addEventListener('wheel', (e) => { if (e.deltaY < 0) this.following = false; }, { passive: true });
  }

  /** Whether the view follows the end of the answer (false once the user scrolled up). */
  get followsAnswer(): boolean {
    return this.following;
  }

  get scrollTop(): number {
    return this.element.scrollTop;
  }

  /** Restores what the webview state saved when the view was hidden. */
  restore(followAnswer: boolean, scrollTop?: number): void {
    this.following = followAnswer;
    if (!followAnswer && scrollTop !== undefined) this.element.scrollTop = scrollTop;
  }

  /** Shows a whole conversation; `keepScroll` keeps the reader's place (the same conversation re-sent). */
  showTurns(turns: Turn[], keepScroll: boolean): void {
    const scrollTop = this.element.scrollTop;
    this.views.clear();
    this.element.replaceChildren();
    for (const turn of turns) {
      if (turn.role === 'user') this.element.append(renderUserTurn(turn));
      else this.addAssistant(AssistantTurnView.fromTurn(turn, this.input.renderer));
    }
    if (turns.length === 0) this.showEmpty();
    if (keepScroll && !this.following) this.element.scrollTop = scrollTop;
    else {
      this.following = true;
      this.scrollToBottom();
    }
  }

  showEmpty(): void {
    this.element.append(h('div', { class: 'empty-state' },
      h('p', {}, 'Ask Claude about your code. Select code and run “Ask About Selection”, or type below.')));
  }

  /** A question was sent: its turn and its (empty, streaming) answer; the view follows the new answer. */
  addTurn(user: UserTurn, assistant: AssistantTurn): void {
    this.element.querySelector('.empty-state')?.remove();
    this.following = true;
    this.element.append(renderUserTurn(user));
    this.addAssistant(AssistantTurnView.fromTurn(assistant, this.input.renderer));
    this.scrollToBottom();
  }

  appendChunks(turnId: string, chunks: DeltaChunk[]): void {
    const view = this.views.get(turnId);
    if (!view) return;
    view.appendChunks(chunks);
    this.schedule();
  }

  setBlock(turnId: string, index: number, block: AnswerBlock): void {
    this.views.get(turnId)?.setBlock(index, block);
    this.schedule();
  }

  endTurn(turnId: string, status: AnswerStatus, meta: AnswerMeta | undefined, error: TurnError | undefined): void {
    const view = this.views.get(turnId);
    if (!view) return;
    view.end(status, meta, error);
    this.announce(status === 'error' && error
      ? `Error: ${error.message}`
      : `Answer ${status === 'done' ? 'finished' : status}. ${view.announcement(ANNOUNCE_CHARS)}`.trim());
    this.afterCommit();
  }

  restartTurn(turnId: string, blocks: AnswerBlock[]): void {
    const view = this.views.get(turnId);
    if (!view) return;
    view.setBlocks(blocks);
    view.flush();
    this.afterCommit();
  }

  announce(text: string): void {
    this.announcer.textContent = text;
  }

  private addAssistant(view: AssistantTurnView): void {
    this.views.set(view.id, view);
    this.element.append(view.element);
  }

  /** Coalesces everything that arrives within a frame into one DOM commit. */
  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const view of this.views.values()) if (view.needsFlush) view.flush();
      this.afterCommit();
    });
  }

  private afterCommit(): void {
    if (this.following) this.scrollToBottom();
  }

  private scrollToBottom(): void {
    this.element.scrollTop = this.element.scrollHeight;
  }

  private onScroll(): void {
    const m = this.element;
    this.following = m.scrollHeight - m.scrollTop - m.clientHeight <= BOTTOM_SLACK;
    this.input.onScrollChange();
  }
}
