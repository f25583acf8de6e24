// The chat view's wiring: builds the components, applies each host message to the one it concerns, and keeps the
// webview state (draft, scroll position) across the view being hidden.
import { type ChatSnapshot } from '../../common/chatTypes';
import { assertNever } from '../../common/assertNever';
import type { HostToWebview } from '../../common/protocol';
import { Composer } from './composer';
import { ConversationList } from './conversationList';
import { ConversationView } from './conversationView';
import { Header } from './header';
import { warmUpHighlighter } from './highlight';
import { MarkdownRenderer } from './markdown';
import type { HostChannel } from './vscodeApi';

export class ChatApp {
  private readonly renderer = new MarkdownRenderer();
  private readonly header: Header;
  private readonly history: ConversationList;
  private readonly log: ConversationView;
  private readonly composer: Composer;
  private conversationId: string | undefined;
  private busy = false;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(root: HTMLElement, private readonly host: HostChannel) {
    const post = host.post.bind(host);
    this.header = new Header({ post, toggleHistory: () => this.history.toggle() });
    this.history = new ConversationList({
      post,
      onToggle: (open) => this.header.setHistoryOpen(open),
      onDismiss: () => this.header.historyButton.focus(),
    });
    this.log = new ConversationView({
      renderer: this.renderer, post, onScrollChange: () => this.saveStateSoon(),
      onEditQuestion: (turnId, text) => this.composer.beginEdit(turnId, text),
      onDecided: () => this.composer.focus(),
    });
    this.composer = new Composer({
      post, onDraftChange: () => this.saveStateSoon(), onSent: () => this.saveState(),
      lastQuestion: () => this.log.lastQuestion,
      onEditChange: (turnId) => this.log.markEditing(turnId),
    });
    root.replaceChildren(this.header.element, this.history.element, this.log.element, this.log.announcer, this.composer.element);

    // Escape stops a streaming answer from anywhere in the view, as the Stop button does.
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || !this.busy || e.isComposing) return;
      e.preventDefault();
      this.host.post({ type: 'stop' });
    });

    const saved = this.host.getState();
    this.composer.draft = saved?.draft ?? '';
    if (saved) this.log.restore(saved.followAnswer);
  }

  /** First paint from the page's `data-state`; restores the saved scroll position. */
  start(snapshot: ChatSnapshot | undefined): void {
    if (snapshot) this.renderSnapshot(snapshot);
    else this.log.showEmpty();
    const saved = this.host.getState();
    if (saved) this.log.restore(saved.followAnswer, saved.scrollTop);
    this.host.post({ type: 'ready' });
    warmUpHighlighter(() => {
      // The Markdown and sanitizer paths get their one-time setup off the streaming path too.
      this.renderer.render(this.renderer.lex('# a\n\n- b\n\n| c |\n|---|\n| d |\n\n[e](https://example.com) `f`'));
      document.body.dataset.warm = 'true';
    });
  }

  handle(message: HostToWebview): void {
    switch (message.type) {
      case 'snapshot':
        this.renderSnapshot(message.snapshot);
        break;
      case 'turnAdded':
        this.log.addTurn(message.user, message.assistant);
        break;
      case 'delta':
        this.log.appendChunks(message.turnId, message.chunks);
        break;
      case 'block':
        this.log.setBlock(message.turnId, message.block, message.value);
        break;
      case 'turnEnded':
        this.log.endTurn(message.turnId, message.status, message.meta, message.error, message.paused, message.changes);
        break;
      case 'retrying':
        this.log.showRetry(message.turnId, message.retry);
        break;
      case 'turnRestarted':
        this.log.restartTurn(message.turnId, message.blocks);
        break;
      case 'conversations':
        this.conversationId = message.activeId;
        this.history.show(message.conversations, message.activeId);
        this.header.setChatTitle(this.history.titleOf(message.activeId));
        break;
      case 'busy':
        this.setBusy(message.busy);
        break;
      case 'model':
        this.header.setModel(message.model, message.modelName);
        break;
      case 'attachImages':
        void this.composer.addAttachments(message.images);
        break;
      case 'notice':
        this.composer.showNotice(message.level, message.message, message.actions, message.setting);
        break;
      case 'focusInput':
        this.composer.focus();
        break;
      case 'composerText':
        this.composer.draft = message.text;
        this.composer.focus();
        break;
      case 'estimate':
        this.composer.setEstimate(message.estimate);
        break;
      case 'pendingContext':
        this.composer.showContext(message.items);
        break;
      case 'rules':
        this.composer.rules.show(message.rules);
        break;
      case 'compaction':
        this.log.setCompaction(message.turnId, message.compaction);
        break;
      default:
        assertNever(message);
    }
  }

  private renderSnapshot(snapshot: ChatSnapshot): void {
    const sameConversation = snapshot.conversationId === this.conversationId;
    this.conversationId = snapshot.conversationId;
    this.log.showTurns(snapshot.turns, sameConversation);
    this.history.show(snapshot.conversations, snapshot.conversationId);
    this.header.setChatTitle(this.history.titleOf(snapshot.conversationId));
    this.header.setModel(snapshot.model, snapshot.modelName);
    this.setBusy(snapshot.busy);
    this.composer.setEstimate(snapshot.estimate);
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.composer.setBusy(busy);
    document.body.dataset.busy = String(busy);
  }

  private saveStateSoon(): void {
    if (this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => this.saveState(), 250);
  }

  private saveState(): void {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.host.setState({ draft: this.composer.draft, scrollTop: this.log.scrollTop, followAnswer: this.log.followsAnswer });
  }
}
