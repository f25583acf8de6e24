// Explain Selection Inline: streams an explanation into a comment thread under the code (Comments API).
// The thread has Stop while streaming, then Continue in Chat; Dismiss removes it. Model output is shown as
// untrusted Markdown (no HTML, no command links).
import * as vscode from 'vscode';
import { buildUserContent } from '../../core/request/prompt';
import { lineRange, metaLine } from '../../common/credits';
import type { ContentBlock } from '../../api';
import type { AnsweredElsewhere } from '../../core/conversation/answerRun';
import type { AnswerMeta, CodeContext, TurnError } from '../../common/chatTypes';
import { Disposable } from '../dispose';
import { errorActionLabel, performErrorAction } from '../request/errorActions';
import type { RequestRunner, RunOptions } from '../request/requestRunner';
import { confirmSize, pickCode } from '../editor/selection';
import type { SettingsService } from '../request/settings';
import type { ProjectRules } from '../context/projectRules';
import { systemWithRules } from '../../core/context/rules';

export const INLINE_CONTROLLER_ID = 'fastrouter.inline';
export const INLINE_QUESTION = 'Explain this code concisely.';
const INLINE_SYSTEM_SUFFIX =
  '\n\nYour answer appears in a small comment box under the code in the editor: explain it briefly (a short paragraph or a few bullets), no preamble.';
/** Re-render the comment at most this often while deltas arrive. */
const RENDER_INTERVAL_MS = 75;

export type InlineStatus = 'streaming' | 'done' | 'stopped' | 'error';

export interface InlineResult {
  status: InlineStatus;
  text: string;
  meta?: AnswerMeta;
  error?: TurnError;
}

class InlineComment implements vscode.Comment {
  mode = vscode.CommentMode.Preview;
  author: vscode.CommentAuthorInformation = { name: 'FastRouter' };
  constructor(
    public body: vscode.MarkdownString,
    public contextValue: string,
    public label?: string,
  ) {}
}

/** What Continue in Chat needs from the chat. */
export interface ChatContinue {
  addAnswered(input: { text: string; context?: CodeContext[] }, answered: AnsweredElsewhere): Promise<void>;
}

interface InlineSession {
  thread: vscode.CommentThread;
  code: CodeContext;
  question: string;
  abort: AbortController;
  text: string;
  /** The answer's blocks as the API sent them (set when it ends), so the chat can send them back unchanged. */
  content?: ContentBlock[];
  status: InlineStatus;
  meta?: AnswerMeta;
  error?: TurnError;
  timer?: ReturnType<typeof setTimeout>;
  /** The request in flight (first run or a retry). */
  running?: Promise<InlineResult>;
}

export class InlineExplainer extends Disposable {
  readonly controller: vscode.CommentController;
  private readonly sessions: InlineSession[] = [];
  private streamingContext = false;

  constructor(
    private readonly deps: { runner: RequestRunner; settings: SettingsService; chat: ChatContinue; log: vscode.LogOutputChannel; rules?: Pick<ProjectRules, 'forQuestion'> },
  ) {
    super();
    this.controller = this._register(vscode.comments.createCommentController(INLINE_CONTROLLER_ID, vscode.l10n.t('FastRouter Explanations')));
    this.controller.options = { placeHolder: '', prompt: '' };
    this._register({ dispose: () => this.sessions.splice(0).forEach((s) => s.abort.abort()) });
  }

  /** For tests and status: every live thread with its current text. */
  get threads(): readonly { thread: vscode.CommentThread; status: InlineStatus; text: string; body: string }[] {
    return this.sessions.map((s) => ({ thread: s.thread, status: s.status, text: s.text, body: commentBody(s.thread) }));
  }

  /** Explains the selection (or enclosing block) of the active editor; resolves when the answer ends. */
  async explain(editor = vscode.window.activeTextEditor, question = INLINE_QUESTION): Promise<InlineResult | undefined> {
    if (!editor) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Open a file and select the code to explain.'));
      return undefined;
    }
    // One explanation sits at one place: the primary selection only.
    const picked = await pickCode(editor, { single: true });
    if (!picked) return undefined;
    const code = (await confirmSize(picked, this.deps.settings.current.maxSelectionChars))?.[0];
    if (!code || code.startLine === undefined || code.endLine === undefined) return undefined;
    const range = new vscode.Range(code.startLine - 1, 0, code.endLine - 1, Number.MAX_SAFE_INTEGER);
    const thread = this.controller.createCommentThread(editor.document.uri, editor.document.validateRange(range), []);
    thread.canReply = false;
    thread.label = vscode.l10n.t('Explanation of {0}', lineRange(code.startLine, code.endLine));
    thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
    const session: InlineSession = { thread, code, question, abort: new AbortController(), text: '', status: 'streaming' };
    this.sessions.push(session);
    this.render(session);
    revealThread(editor, code.endLine - 1);
    return this.start(session);
  }

  private start(session: InlineSession, options: RunOptions = {}): Promise<InlineResult> {
    session.running = this.stream(session, options);
    return session.running;
  }

  private async stream(session: InlineSession, options: RunOptions): Promise<InlineResult> {
    let lastBlock = -1;
    const outcome = await this.deps.runner.run(
      {
        messages: [{ role: 'user', content: buildUserContent({ text: session.question, context: [session.code] }) }],
        system: systemWithRules(this.deps.settings.current.systemPrompt + INLINE_SYSTEM_SUFFIX, (await this.deps.rules?.forQuestion([session.code.path]))?.text ?? ''),
        source: 'inline',
      },
      session.abort.signal,
      (event) => {
        if (event.type === 'content_block_start' && event.content_block.type === 'text') {
          if (session.text !== '' && event.index !== lastBlock) session.text += '\n\n';
          lastBlock = event.index;
          session.text += event.content_block.text;
        } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
          session.text += event.delta.text;
          this.scheduleRender(session);
        }
      },
      options,
    );
    if (session.timer) clearTimeout(session.timer);
    session.timer = undefined;
    session.status = outcome.status;
    session.content = outcome.message?.content;
    session.meta = outcome.meta;
    session.error = outcome.error;
    if (!this.sessions.includes(session)) return this.result(session); // dismissed meanwhile
    this.render(session);
    if (outcome.error) {
      // An action can fail (e.g. Set API Key with no OS keychain): say so in the log, never leave the rejection unhandled.
      this.offerErrorActions(session, outcome.error).catch((error: unknown) => {
        this.deps.log.error(`Inline explanation: the error action failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    return this.result(session);
  }

  stop(thread?: vscode.CommentThread): void {
    const session = thread ? this.find(thread) : [...this.sessions].reverse().find((s) => s.status === 'streaming');
    session?.abort.abort();
  }

  dismiss(thread?: vscode.CommentThread): void {
    const session = thread ? this.find(thread) : this.sessions[this.sessions.length - 1];
    if (!session) return;
    session.abort.abort();
    if (session.timer) clearTimeout(session.timer);
    this.sessions.splice(this.sessions.indexOf(session), 1);
    session.thread.dispose();
    this.updateStreamingContext();
  }

  /** Moves the question, code and explanation into the chat as an answered exchange (no second request). */
  async continueInChat(thread?: vscode.CommentThread): Promise<void> {
    const session = thread ? this.find(thread) : this.sessions[this.sessions.length - 1];
    if (!session) return;
    if (session.status === 'streaming') {
      // Only reachable by command: carry what has streamed so far, as a stopped answer.
      session.abort.abort();
      await session.running;
    }
    const { code, question, text, status, meta, error } = session;
    const content = session.content ?? (text ? [{ type: 'text' as const, text }] : []);
    this.dismiss(session.thread);
    await this.deps.chat.addAnswered({ text: question, context: [code] }, { content, status: status === 'streaming' ? 'stopped' : status, meta, error });
  }

  /** The session of `thread`; undefined once it was dismissed (a second click must not act on another thread). */
  private find(thread: vscode.CommentThread): InlineSession | undefined {
    return this.sessions.find((s) => s.thread === thread);
  }

  private result(session: InlineSession): InlineResult {
    return { status: session.status, text: session.text, meta: session.meta, error: session.error };
  }

  private scheduleRender(session: InlineSession): void {
    session.timer ??= setTimeout(() => {
      session.timer = undefined;
      this.render(session);
    }, RENDER_INTERVAL_MS);
  }

  private render(session: InlineSession): void {
    let markdown = session.text;
    if (session.status === 'streaming') markdown = markdown === '' ? `_${vscode.l10n.t('Thinking…')}_` : `${markdown} ▍`;
    if (session.status === 'stopped') markdown += `\n\n_${vscode.l10n.t('Stopped.')}_`;
    if (session.error) markdown += `\n\n**${vscode.l10n.t('Error')}:** ${escapeMarkdown(session.error.message)}`;
    if (session.meta) markdown += `\n\n---\n_${escapeMarkdown(describeMeta(session.meta))}_`;
    // Untrusted model output: not trusted (no command links), no HTML.
    const body = new vscode.MarkdownString(markdown, false);
    body.isTrusted = false;
    body.supportHtml = false;
    const state = session.status === 'streaming' ? 'streaming' : 'finished';
    session.thread.contextValue = state;
    session.thread.comments = [new InlineComment(body, state)];
    this.updateStreamingContext();
  }

  /** `fastrouter.inlineStreaming` shows "Stop Explanation" in the Command Palette only while one streams. */
  private updateStreamingContext(): void {
    const streaming = this.sessions.some((s) => s.status === 'streaming');
    if (streaming === this.streamingContext) return;
    this.streamingContext = streaming;
    void vscode.commands.executeCommand('setContext', 'fastrouter.inlineStreaming', streaming);
  }

  private async offerErrorActions(session: InlineSession, error: TurnError): Promise<void> {
    const labels = error.actions.map((action) => ({ action, label: errorActionLabel(action) }));
    const choice = await vscode.window.showErrorMessage(error.message, ...labels.map((l) => l.label));
    const action = labels.find((l) => l.label === choice)?.action;
    if (!action) return;
    // Retry, or Send Anyway past a spending limit (this once): run the explanation again.
    if (!(await performErrorAction(action, this.deps.log, error.setting)) && this.sessions.includes(session)) {
      session.text = '';
      session.content = undefined;
      session.status = 'streaming';
      session.error = undefined;
      session.meta = undefined;
      session.abort = new AbortController();
      this.render(session);
      await this.start(session, { bypassSpendingLimit: action === 'sendAnyway' });
    }
  }
}

/** Lines kept visible under the explained code for the thread that opens there. */
const THREAD_ROOM_LINES = 12;

/**
 * The thread opens under `endLine` (0-based): when that is near or past the bottom of the viewport, scroll so the
 * line sits where the thread has room below it, keeping as much of the selection in view as fits.
 */
function revealThread(editor: vscode.TextEditor, endLine: number): void {
  const visible = editor.visibleRanges;
  const last = visible.length > 0 ? visible[visible.length - 1].end.line : -1;
  const first = visible.length > 0 ? visible[0].start.line : 0;
  if (endLine >= first && endLine + THREAD_ROOM_LINES <= last) return;
  const target = Math.min(editor.document.lineCount - 1, endLine + THREAD_ROOM_LINES);
  editor.revealRange(new vscode.Range(target, 0, target, 0), vscode.TextEditorRevealType.Default);
}

function commentBody(thread: vscode.CommentThread): string {
  const body = thread.comments[0]?.body;
  return typeof body === 'string' ? body : (body?.value ?? '');
}

/** The chat's meta line, word for word (common/credits.ts): one line for every answer wherever it is shown. */
function describeMeta(meta: AnswerMeta): string {
  return metaLine(meta);
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, '\\$&');
}
