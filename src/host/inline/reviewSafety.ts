// What an open Edit Selection review can leave behind, made visible. While a review is open the document holds both
// sides (the removed lines and their replacement: editReview.ts), so:
// - a save then (by hand or by auto save) writes both sides to disk: the first such save of a review says so at once,
//   with Accept All / Reject All;
// - a window that closes mid-review (a crash, a reload, a kill) leaves the file, or its hot-exit backup, holding both
//   sides with nothing marking which is which: each open review is recorded in the workspace state with the document's
//   text from before it, and the next window names the file and offers the diff against that text.
// Nothing here writes the document: it only tells and shows.
import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { documentName } from '../editor/selection';

export const OPEN_REVIEWS_KEY = 'fastrouter.editReview.open';
export const REVIEW_BEFORE_SCHEME = 'fastrouter-review-before';
/** Larger documents are recorded without their text (the notice still names the file). */
const MAX_TEXT_CHARS = 2_000_000;

export interface OpenReview {
  id: string;
  uri: string;
  name: string;
  startedAt: number;
  /** The whole document before the review, when small enough to keep. */
  before?: string;
}

/** The part of a review session this needs. */
export interface ReviewLike {
  readonly document: vscode.TextDocument;
  readonly state: 'streaming' | 'review' | 'ended';
}

export class ReviewSafety extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly ids = new Map<ReviewLike, string>();
  private readonly warned = new Set<ReviewLike>();
  /** Texts of reviews cut short in an earlier window, for their diffs (kept for this session once shown). */
  private readonly cutShort = new Map<string, OpenReview>();
  private counter = 0;
  /** Shows a warning with buttons (the UI tests see the real one; in-host tests stand in for it). */
  warn: (text: string, ...items: string[]) => Thenable<string | undefined> = (text, ...items) => vscode.window.showWarningMessage(text, ...items);

  constructor(
    readonly state: vscode.Memento,
    private readonly find: (document: vscode.TextDocument) => ReviewLike | undefined,
  ) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(REVIEW_BEFORE_SCHEME, this));
    this._register(vscode.workspace.onWillSaveTextDocument((event) => this.willSave(event.document)));
  }

  /** A review began on `document`, whose whole text before it is `before`. */
  opened(session: ReviewLike, before: string): void {
    const id = `${Date.now().toString(36)}-${++this.counter}`;
    this.ids.set(session, id);
    const record: OpenReview = {
      id,
      uri: session.document.uri.toString(),
      name: documentName(session.document),
      startedAt: Date.now(),
      ...(before.length <= MAX_TEXT_CHARS ? { before } : {}),
    };
    void this.write((open) => [...open.filter((r) => r.uri !== record.uri), record]);
  }

  /** Called whenever a session changed: once it ended, its record goes. */
  changed(session: ReviewLike): void {
    if (session.state !== 'ended') return;
    const id = this.ids.get(session);
    this.ids.delete(session);
    this.warned.delete(session);
    if (id) void this.write((open) => open.filter((r) => r.id !== id));
  }

  /**
   * Reviews a previous window left open (it closed before they were decided): each is named, with the diff of the file
   * against its text from before the review. Called once, after activation, never awaited there.
   */
  async reportCutShort(): Promise<void> {
    const open = this.read().filter((r) => ![...this.ids.values()].includes(r.id));
    if (open.length === 0) return;
    await this.write((all) => all.filter((r) => !open.some((o) => o.id === r.id)));
    for (const record of open) {
      this.cutShort.set(record.id, record);
      const compare = vscode.l10n.t('Compare with Before the Edit');
      const text = vscode.l10n.t(
        'An Edit Selection review of {0} was cut short when the window closed: the file may still hold both the old and the new lines.',
        record.name,
      );
      void this.warn(text, ...(record.before !== undefined ? [compare] : [])).then((choice) => {
        if (choice === compare) void this.showDiff(record);
      });
    }
  }

  /** The diff of a cut-short review: the document before it ↔ the file now. */
  async showDiff(record: { id: string; uri: string; name: string }): Promise<void> {
    const left = vscode.Uri.from({ scheme: REVIEW_BEFORE_SCHEME, path: `/${record.name.split('/').pop() ?? 'file'}`, query: record.id });
    await vscode.commands.executeCommand('vscode.diff', left, vscode.Uri.parse(record.uri), vscode.l10n.t('{0} (before the Edit Selection ↔ now)', record.name));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.cutShort.get(uri.query)?.before ?? vscode.l10n.t('The text from before this Edit Selection is no longer kept.');
  }

  private willSave(document: vscode.TextDocument): void {
    const session = this.find(document);
    if (!session || this.warned.has(session)) return;
    this.warned.add(session);
    const acceptAll = vscode.l10n.t('Accept All');
    const rejectAll = vscode.l10n.t('Reject All');
    const text = vscode.l10n.t(
      '{0} was saved with both sides of its open Edit Selection review (the old lines and the new ones). Accept or reject the changes, then save again.',
      documentName(document),
    );
    void this.warn(text, acceptAll, rejectAll).then((choice) => {
      if (!choice) return;
      const command = choice === acceptAll ? 'fastrouter.editSelection.acceptAll' : 'fastrouter.editSelection.rejectAll';
      void vscode.commands.executeCommand(command, document.uri);
    });
  }

  /** The open reviews recorded (this window's and any a closed window left). */
  read(): OpenReview[] {
    const value = this.state.get<unknown>(OPEN_REVIEWS_KEY);
    return Array.isArray(value) ? value.filter((r): r is OpenReview => typeof r === 'object' && r !== null && typeof (r as OpenReview).id === 'string' && typeof (r as OpenReview).uri === 'string') : [];
  }

  private writing: Promise<void> = Promise.resolve();

  /** Changes the record list in order (each change sees the previous one's result). */
  private write(change: (open: OpenReview[]) => OpenReview[]): Promise<void> {
    this.writing = this.writing.then(() => this.state.update(OPEN_REVIEWS_KEY, change(this.read()))).then(undefined, () => undefined);
    return this.writing;
  }
}
