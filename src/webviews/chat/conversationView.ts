// The message log: the turns of the open conversation, the streaming answers' frame commits, following the answer
// as it grows, and the screen-reader announcement of finished answers.
import type { AnswerBlock, AnswerMeta, AnswerStatus, AssistantTurn, CompactionView, DeltaChunk, RetryNotice, Turn, TurnError, TurnFileChange, UserTurn } from '../../common/chatTypes';
import type { WebviewToHost } from '../../common/protocol';
import { handleAnswerClick } from './answerActions';
import { AssistantTurnView } from './assistantTurn';
import { button, h } from '../common/dom';
import { icon } from './icons';
import { retryAnnouncement } from './retryCountdown';
import type { MarkdownRenderer } from './markdown';
import { ScrollFollower } from './scrollFollower';
import { DECISION_BUTTONS } from './toolCall';
import { renderUserTurn } from './userTurn';

/** How much of a finished answer the screen-reader announcement reads; the rest is in the log. */
const ANNOUNCE_CHARS = 300;
/**
 * Turns painted when a chat opens, and added each time the reader nears the top: a 4,000-turn chat paints its last
 * turns at once and the rest as the user scrolls up (rendering them all took seconds and 60k DOM nodes).
 */
export const TURNS_PER_PAGE = 60;
/** How far above the view the earlier turns start to be painted, so scrolling up rarely waits for them. */
const EARLIER_MARGIN_PX = 800;

export interface ConversationViewInput {
  renderer: MarkdownRenderer;
  post(message: WebviewToHost): void;
  /** The scroll position or the following state changed (the app saves it with the webview state). */
  onScrollChange(): void;
  /** Edit on a question: the composer takes its text. */
  onEditQuestion(turnId: string, text: string): void;
  /** Apply or Reject was clicked: the next keystroke belongs to the composer. */
  onDecided(): void;
}

export class ConversationView {
  /** The log with its Jump to latest button, and the polite live region that reads finished answers; the app places both. */
  readonly element: HTMLElement;
  readonly announcer: HTMLElement;
  /** The scrolling log (`#messages`) and the turns inside it. */
  private readonly log: HTMLElement;
  private readonly turns: HTMLElement;
  private readonly jumpButton: HTMLButtonElement;
  private readonly follower: ScrollFollower;
  private readonly views = new Map<string, AssistantTurnView>();
  private frame = 0;
  /** Turns of the open chat not painted yet (oldest first): painted a page at a time as the reader scrolls up. */
  private earlier: Turn[] = [];
  /** Above the painted turns while there are earlier ones: seen (or clicked), it paints the next page. */
  private readonly earlierButton: HTMLButtonElement;
  private readonly earlierObserver: IntersectionObserver;
  /**
   * The turn that was first before an earlier page came in, and where it was on screen: held there while the new
   * page settles (its blocks take their real height as they are laid out), until the user scrolls or a second passes.
   */
  private anchor: { element: Element; top: number; until: number } | undefined;

  constructor(private readonly input: ConversationViewInput) {
    this.turns = h('div', { class: 'log-turns' });
    // A log, but not a live one: the streaming tail is replaced every frame and a snapshot re-adds the whole chat,
    // which screen readers would read out piece by piece. Finished answers are announced through #announcer.
    const floor = h('div', { class: 'log-floor' }, this.turns);
    this.log = h('main', { id: 'messages', role: 'log', 'aria-label': 'Conversation', 'aria-live': 'off', tabindex: '0' }, floor);
    this.jumpButton = button('Jump to latest', { id: 'jump-to-latest', hidden: true });
    this.jumpButton.append(icon('arrowDown'));
    // Before the log in the focus order (Shift+Tab from the log), drawn over its bottom edge.
    this.element = h('div', { class: 'log-viewport' }, this.jumpButton, this.log);
    this.announcer = h('div', { id: 'announcer', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    this.follower = new ScrollFollower(this.log, floor, this.turns, (following) => {
      this.jumpButton.hidden = following;
      this.input.onScrollChange();
    });
    const actions = { renderer: input.renderer, post: input.post, announce: (text: string) => this.announce(text) };
    this.log.addEventListener('click', (e) => {
      // An attachment of a question dropped from (or added back to) the context of later questions.
      const toggle = (e.target as Element).closest<HTMLButtonElement>('button.omit-toggle');
      const itemId = toggle?.closest<HTMLElement>('[data-item-id]')?.dataset.itemId;
      const turnId = toggle?.closest<HTMLElement>('.turn[data-role="user"]')?.dataset.turnId;
      if (toggle && itemId && turnId) {
        input.post({ type: 'setOmitted', turnId, itemId, omitted: toggle.dataset.action === 'omit' });
        return;
      }
      const edit = (e.target as Element).closest('button[data-action="editQuestion"]');
      const question = edit?.closest<HTMLElement>('.turn[data-role="user"]');
      if (question?.dataset.turnId) {
        input.onEditQuestion(question.dataset.turnId, question.querySelector('.user-text')?.textContent ?? '');
        return;
      }
      // A question's Restore: files back as before it, the conversation rewound (the host asks about conflicts).
      const restore = (e.target as Element).closest<HTMLButtonElement>('button.restore-question');
      const questionId = restore?.closest<HTMLElement>('.turn[data-role="user"]')?.dataset.turnId;
      if (restore && questionId) {
        input.post({ type: 'restoreQuestion', turnId: questionId });
        return;
      }
      handleAnswerClick(e, actions);
      const decided = (e.target as Element).closest(DECISION_BUTTONS);
      if (decided) input.onDecided();
    });
    this.log.addEventListener('auxclick', (e) => { if ((e.target as Element).closest('a')) e.preventDefault(); });
    this.earlierButton = button('Show earlier messages', { class: 'show-earlier' });
    this.earlierButton.addEventListener('click', () => this.showEarlier());
    this.earlierObserver = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) this.showEarlier();
    }, { root: this.log, rootMargin: `${EARLIER_MARGIN_PX}px 0px 0px 0px` });
    this.earlierObserver.observe(this.earlierButton);
    // After layout, before paint (as the follower does): a page that changed height above the anchor never shows.
    new ResizeObserver(() => this.keepAnchor()).observe(this.turns);
    for (const type of ['wheel', 'keydown', 'pointerdown', 'touchstart']) {
      this.log.addEventListener(type, () => { this.anchor = undefined; }, { passive: true });
    }
    this.log.addEventListener('scroll', () => this.input.onScrollChange(), { passive: true });
    this.jumpButton.addEventListener('click', () => {
      this.follower.follow();
      // The button hides; the keyboard focus goes on in the log rather than back to the page.
      this.log.focus({ preventScroll: true });
    });
  }

  /** Whether the view follows the end of the answer (false once the user scrolled up). */
  get followsAnswer(): boolean {
    return this.follower.isFollowing;
  }

  /** The text of the last question asked (ArrowUp in an empty composer recalls it). */
  get lastQuestion(): string | undefined {
    const texts = this.turns.querySelectorAll('.turn[data-role="user"] .user-text');
    return texts.length > 0 ? texts[texts.length - 1].textContent ?? undefined : undefined;
  }

  /** Marks the question being edited (undefined: none). */
  markEditing(turnId: string | undefined): void {
    for (const el of this.turns.querySelectorAll<HTMLElement>('.turn[data-editing]')) delete el.dataset.editing;
    if (turnId) {
      const el = this.turns.querySelector<HTMLElement>(`.turn[data-role="user"][data-turn-id="${CSS.escape(turnId)}"]`);
      if (el) el.dataset.editing = 'true';
    }
  }

  get scrollTop(): number {
    return this.log.scrollTop;
  }

  /** Restores what the webview state saved when the view was hidden. */
  restore(followAnswer: boolean, scrollTop?: number): void {
    if (followAnswer) {
      this.follower.follow();
      return;
    }
    if (scrollTop !== undefined) this.log.scrollTop = scrollTop;
    this.follower.unfollow();
  }

  /** Shows a whole conversation; `keepScroll` keeps the reader's place (the same conversation re-sent). */
  showTurns(turns: Turn[], keepScroll: boolean): void {
    const scrollTop = this.log.scrollTop;
    this.views.clear();
    this.anchor = undefined;
    this.turns.replaceChildren();
    this.follower.reset();
    const start = pageStart(turns, turns.length);
    this.earlier = turns.slice(0, start);
    for (const element of this.renderTurns(turns.slice(start))) this.turns.append(element);
    for (const view of this.views.values()) this.markQuestion(view);
    this.updateEarlierButton();
    if (turns.length === 0) this.showEmpty();
    if (keepScroll && !this.follower.isFollowing) this.log.scrollTop = scrollTop;
    else this.follower.follow();
  }

  showEmpty(): void {
    this.turns.append(h('div', { class: 'empty-state' },
      h('p', {}, 'Ask Claude about your code. Select code and run “Ask About Selection”, or type below.')));
  }

  /** A question was sent: its turn and its (empty, streaming) answer; the view follows the new answer. */
  addTurn(user: UserTurn, assistant: AssistantTurn): void {
    this.turns.querySelector('.empty-state')?.remove();
    this.turns.append(renderUserTurn(user));
    this.addAssistant(AssistantTurnView.fromTurn(assistant, this.input.renderer));
    this.follower.follow();
  }

  /** The "Compacted" row under the answer `turnId` appeared, changed or went (null). */
  setCompaction(turnId: string, compaction: CompactionView | null): void {
    const view = this.views.get(turnId);
    if (view) {
      view.setCompaction(compaction ?? undefined, this.input.post);
      if (compaction?.state === 'done') this.announce('The conversation was compacted: the turns above are sent as a summary from now on.');
      return;
    }
    // Not painted yet (an earlier page): the turn carries it when it is.
    const index = this.earlier.findIndex((turn) => turn.role === 'assistant' && turn.id === turnId);
    const turn = this.earlier[index];
    if (turn?.role !== 'assistant') return;
    const updated: AssistantTurn = { ...turn };
    if (compaction) updated.compaction = compaction;
    else delete updated.compaction;
    this.earlier[index] = updated;
  }

  appendChunks(turnId: string, chunks: DeltaChunk[]): void {
    const view = this.views.get(turnId);
    if (!view) return;
    view.appendChunks(chunks);
    this.schedule();
  }

  /** The answer waits before its request is sent again: a countdown in the turn, announced once; null clears it. */
  showRetry(turnId: string, notice: RetryNotice | null): void {
    const view = this.views.get(turnId);
    if (!view) return;
    view.showRetry(notice);
    if (notice) this.announce(retryAnnouncement(notice));
  }

  setBlock(turnId: string, index: number, block: AnswerBlock): void {
    this.views.get(turnId)?.setBlock(index, block);
    this.schedule();
    if (block.kind === 'tool_use' && block.state === 'approval') {
      const what = block.change ? `${block.change.create ? 'a new file' : 'a change to'} ${block.change.path}, ${block.change.added} lines added, ${block.change.removed} removed` : (block.summary ?? block.name);
      this.announce(block.change || block.command ? `Claude proposes ${what}. ${block.command ? 'Run' : 'Apply'} or Reject.` : `Claude asks to ${what.charAt(0).toLowerCase()}${what.slice(1)}. Allow or Deny.`);
    } else if (block.kind === 'tool_use' && (block.state === 'applied' || block.state === 'rejected') && block.summary) {
      this.announce(`${block.summary}: ${block.state}.`);
    }
  }

  endTurn(turnId: string, status: AnswerStatus, meta: AnswerMeta | undefined, error: TurnError | undefined, paused?: string, changes?: TurnFileChange[]): void {
    const view = this.views.get(turnId);
    if (!view) return;
    view.end(status, meta, error, paused, changes);
    if (paused) {
      this.announce(paused);
      return;
    }
    this.markQuestion(view);
    this.announce(status === 'error' && error
      ? `Error: ${error.message}`
      : `Answer ${status === 'done' ? 'finished' : status}. ${view.announcement(ANNOUNCE_CHARS)}`.trim());
  }

  restartTurn(turnId: string, blocks: AnswerBlock[]): void {
    const view = this.views.get(turnId);
    if (!view) return;
    view.setBlocks(blocks);
    view.flush();
    this.markQuestion(view);
  }

  /** A question whose answer ended with nothing the model will see again is marked: it is not sent with later ones. */
  private markQuestion(view: AssistantTurnView): void {
    const question = view.element.previousElementSibling as HTMLElement | null;
    if (!question || question.dataset.role !== 'user') return;
    const failed = view.status !== 'streaming' && view.status !== 'done' && !view.answered;
    question.querySelector('.question-note')?.remove();
    if (!failed) {
      delete question.dataset.failed;
      return;
    }
    question.dataset.failed = 'true';
    question.append(h('div', { class: 'question-note' }, 'Not answered, so not sent with later questions.'));
  }

  announce(text: string): void {
    this.announcer.textContent = text;
  }

  private addAssistant(view: AssistantTurnView): void {
    this.views.set(view.id, view);
    this.turns.append(view.element);
  }

  /** The elements of `turns`, in order; their answers join `views`. */
  private renderTurns(turns: Turn[]): HTMLElement[] {
    return turns.map((turn) => {
      if (turn.role === 'user') return renderUserTurn(turn);
      const view = AssistantTurnView.fromTurn(turn, this.input.renderer);
      if (turn.compaction) view.setCompaction(turn.compaction, this.input.post);
      this.views.set(view.id, view);
      return view.element;
    });
  }

  /** Paints the page of turns before the first painted one, keeping what the reader sees where it is. */
  private showEarlier(): void {
    if (this.earlier.length === 0) return;
    const start = pageStart(this.earlier, this.earlier.length);
    const page = this.renderTurns(this.earlier.slice(start));
    this.earlier = this.earlier.slice(0, start);
    const anchor = this.earlierButton.nextElementSibling;
    const before = anchor?.getBoundingClientRect().top ?? 0;
    this.earlierButton.after(...page);
    for (const element of page) {
      const view = this.views.get(element.dataset.turnId ?? '');
      if (view?.element === element) this.markQuestion(view);
    }
    this.updateEarlierButton();
    // Whether or not the browser's scroll anchoring moved it, the turn that was first stays where the reader saw it.
    if (anchor) {
      this.anchor = { element: anchor, top: before, until: performance.now() + 1000 };
      this.keepAnchor();
    }
  }

  private keepAnchor(): void {
    const anchor = this.anchor;
    if (!anchor) return;
    if (performance.now() > anchor.until || !anchor.element.isConnected) {
      this.anchor = undefined;
      return;
    }
    const drift = anchor.element.getBoundingClientRect().top - anchor.top;
    if (Math.abs(drift) >= 0.5) this.log.scrollTop += drift;
  }

  private updateEarlierButton(): void {
    if (this.earlier.length === 0) {
      this.earlierButton.remove();
      return;
    }
    this.earlierButton.textContent = `Show earlier messages (${this.earlier.length})`;
    if (this.earlierButton.parentElement !== this.turns) this.turns.prepend(this.earlierButton);
  }

  /**
   * Coalesces everything that arrives within a frame into one DOM commit. Following the answer needs nothing here:
   * the follower's ResizeObserver sees the new size after this frame's layout, before it is painted.
   */
  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const view of this.views.values()) if (view.needsFlush) view.flush();
    });
  }
}

/** Where the last page of `turns[0..end)` starts: at most TURNS_PER_PAGE turns, beginning with a question. */
function pageStart(turns: Turn[], end: number): number {
  let start = Math.max(0, end - TURNS_PER_PAGE);
  while (start > 0 && turns[start]?.role !== 'user') start--;
  return start;
}
