// One Edit Selection in one document: the replacement's lines inserted as they stream, added and removed lines tracked,
// per-hunk Accept / Reject, Accept All / Reject All. The decorations and lenses over all sessions are editReview.ts.
// (One job over 400 lines: every line's tracking through our edits and the user's typing has to live with the edits
// that depend on it; split, each half would need the other's private state.)
//
// Design: the removed original lines stay in the document as real lines, marked removed, above the added lines of
// their hunk. VS Code's API cannot show lines that are not in the document (decorations live inside a line), and
// the original must stay readable, in place, while the replacement streams. So until the review ends the document
// holds both sides; Accept deletes the removed lines, Reject the added ones, and nothing else is ever written.
//
// Never losing a keystroke: every line of the review is tracked through every change of the document (ours and the
// user's). Our edits are version-checked by VS Code (applyEdit refuses when the document changed since we read it),
// so an edit built on a stale picture is refused and rebuilt, never applied over the user's typing; lines we move
// are read from the document at that moment. A line the user edits, or types, becomes theirs: no Accept or Reject
// deletes it.
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { DiffOp, StreamDiff } from '../../core/edit/streamDiff';
import type { AnswerMeta } from '../../common/chatTypes';

type Kind = 'pending' | 'same' | 'removed' | 'added' | 'user';

interface Entry {
  readonly id: number;
  kind: Kind;
  /** The original line it is (original lines only). */
  readonly o?: number;
  hunk?: number;
  /** The text of a line not yet in the document. */
  text?: string;
}

interface OwnEdit {
  /** The document's version before the edit; the edit, when applied, makes the next one. */
  before: number;
  /** Set once VS Code applied it: the version its change event carries. */
  version?: number;
  commit(): void;
  /** Changes seen while it was in flight, with the version each made; sorted out when it resolves. */
  seen: { event: vscode.TextDocumentChangeEvent; version: number }[];
}

export type ReviewState = 'streaming' | 'review' | 'ended';

let nextEntryId = 1;

/** One Edit Selection in one document. */
export class EditSession {
  /** First document line of the region. */
  start: number;
  lines: Entry[];
  state: ReviewState = 'streaming';
  meta?: AnswerMeta;
  /** Hunks decided (or without lines left). */
  readonly decided = new Set<number>();
  /** Hunk ids handed out; the open hunk takes more lines until an unchanged line closes it. */
  private hunkCount = 0;
  private openHunk: number | undefined;
  /** Original lines reached by the replacement (the engine's `next` as last written). */
  private consumed = 0;
  private readonly queued: DiffOp[] = [];
  private ownEdit: OwnEdit | undefined;
  private work: Promise<unknown> = Promise.resolve();
  /** Editor updates made (inserted lines, moves), and the longest time one took to plan: for the benchmark and tests. */
  updates = 0;
  longestPlanMs = 0;
  readonly abort = new AbortController();
  finishedStream?: Promise<void>;

  constructor(
    readonly document: vscode.TextDocument,
    startLine: number,
    originalLineCount: number,
    readonly diff: StreamDiff,
    private readonly onChange: (session: EditSession) => void,
  ) {
    this.start = startLine;
    this.lines = Array.from({ length: originalLineCount }, (_, o) => ({ id: nextEntryId++, kind: 'pending' as Kind, o }));
  }

  get end(): number {
    return this.start + this.lines.length;
  }

  /** Undecided hunks in document order, with their first document line. */
  hunks(): { hunk: number; line: number; removed: number; added: number }[] {
    const out = new Map<number, { hunk: number; line: number; removed: number; added: number }>();
    this.lines.forEach((entry, i) => {
      if (entry.hunk === undefined || this.decided.has(entry.hunk) || (entry.kind !== 'removed' && entry.kind !== 'added')) return;
      const item = out.get(entry.hunk) ?? { hunk: entry.hunk, line: this.start + i, removed: 0, added: 0 };
      if (entry.kind === 'removed') item.removed++;
      else item.added++;
      out.set(entry.hunk, item);
    });
    return [...out.values()];
  }

  /** Ranges of each kind, for the decorations. */
  ranges(kind: Kind): vscode.Range[] {
    const ranges: vscode.Range[] = [];
    let runStart = -1;
    const close = (i: number) => {
      if (runStart >= 0) ranges.push(new vscode.Range(this.start + runStart, 0, this.start + i - 1, Number.MAX_SAFE_INTEGER));
      runStart = -1;
    };
    this.lines.forEach((entry, i) => {
      const live = entry.hunk === undefined || !this.decided.has(entry.hunk);
      if (entry.kind === kind && live) {
        if (runStart < 0) runStart = i;
      } else close(i);
    });
    close(this.lines.length);
    return ranges;
  }

  /** The stream placed more lines: write them to the document (serialized; never more than one edit in flight). */
  enqueue(ops: readonly DiffOp[]): void {
    if (ops.length === 0) return;
    const empty = this.queued.length === 0;
    this.queued.push(...ops);
    if (empty) this.serial(() => this.flush());
  }

  /** Resolves when every queued write and decision is in the document. */
  idle(): Promise<unknown> {
    return this.work;
  }

  private serial(task: () => Promise<unknown>): Promise<unknown> {
    const run = this.work.then(task, task);
    this.work = run.catch(() => undefined);
    return run;
  }

  private async flush(): Promise<void> {
    for (let attempt = 0; this.queued.length > 0 && this.state !== 'ended'; attempt++) {
      const ops = this.queued.slice();
      const planned = performance.now();
      const plan = this.plan(ops);
      this.longestPlanMs = Math.max(this.longestPlanMs, performance.now() - planned);
      const ok = await this.write(plan.edits, () => {
        this.lines = plan.lines;
        this.hunkCount = plan.hunkCount;
        this.openHunk = plan.openHunk;
        this.consumed = plan.consumed;
        this.queued.splice(0, ops.length);
      });
      if (ok) this.updates++;
      if (!ok && attempt > 50) throw new Error('the document keeps changing under the edit');
    }
    this.onChange(this);
  }

  /** The region's lines after `ops`, and the edit that gets the document there (only lines that move or are new). */
  private plan(ops: readonly DiffOp[]) {
    const lines = this.lines.map((e) => ({ ...e }));
    let hunkCount = this.hunkCount;
    let openHunk = this.openHunk;
    let consumed = this.consumed;
    // The original lines are in order and the ops move forward through them: one cursor, never a search from the top.
    let cursor = 0;
    const seek = (o: number): number => {
      while (cursor < lines.length && !(lines[cursor].o !== undefined && lines[cursor].o! >= o)) cursor++;
      return cursor < lines.length && lines[cursor].o === o ? cursor : -1;
    };
    for (const op of ops) {
      if (op.kind === 'same') {
        openHunk = undefined;
        const at = seek(op.o);
        if (at >= 0 && lines[at].kind === 'pending') lines[at].kind = 'same';
        if (at >= 0) cursor = at + 1;
        consumed = op.o + 1;
        continue;
      }
      openHunk ??= hunkCount++;
      if (op.kind === 'added') {
        seek(consumed);
        lines.splice(cursor, 0, { id: nextEntryId++, kind: 'added', hunk: openHunk, text: this.diff.replacement[op.n] });
        cursor++;
        continue;
      }
      const at = seek(op.o);
      consumed = op.o + 1;
      if (at === -1 || lines[at].kind !== 'pending') continue; // the user's line now
      const entry = lines[at];
      entry.kind = 'removed';
      entry.hunk = openHunk;
      // Red above green: the removed line goes before the hunk's first added line.
      let firstAdded = at;
      while (firstAdded > 0 && lines[firstAdded - 1].hunk === openHunk && lines[firstAdded - 1].kind === 'added') firstAdded--;
      if (firstAdded < at) {
        lines.splice(at, 1);
        lines.splice(firstAdded, 0, entry);
      }
      cursor = at + 1;
    }
    // The document edit: the lines between the unchanged prefix and suffix (same entries, same places) are rewritten.
    const old = this.lines;
    let prefix = 0;
    while (prefix < old.length && prefix < lines.length && old[prefix].id === lines[prefix].id) prefix++;
    let suffix = 0;
    while (suffix < old.length - prefix && suffix < lines.length - prefix && old[old.length - 1 - suffix].id === lines[lines.length - 1 - suffix].id) suffix++;
    const edits: { from: number; to: number; texts: string[] }[] = [];
    if (prefix < old.length - suffix || prefix < lines.length - suffix) {
      const oldIndex = new Map(old.map((e, i) => [e.id, i]));
      const texts = lines.slice(prefix, lines.length - suffix).map((e) => e.text ?? this.document.lineAt(this.start + oldIndex.get(e.id)!).text);
      edits.push({ from: this.start + prefix, to: this.start + old.length - suffix, texts });
    }
    for (const entry of lines) delete entry.text;
    return { lines, hunkCount, openHunk, consumed, edits };
  }

  /**
   * Applies line replacements (document lines [from, to) become `texts`) as one version-checked edit; `commit`
   * runs when its change event arrives, before any later change is seen. False when VS Code refused it.
   */
  private async write(edits: readonly { from: number; to: number; texts: string[] }[], commit: () => void): Promise<boolean> {
    if (edits.length === 0) {
      commit();
      return true;
    }
    const document = this.document;
    const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const workspaceEdit = new vscode.WorkspaceEdit();
    for (const { from, to, texts } of edits) {
      let range: vscode.Range;
      let text: string;
      if (to < document.lineCount) {
        range = new vscode.Range(from, 0, to, 0);
        text = texts.map((t) => t + eol).join('');
      } else if (texts.length > 0) {
        // Through the last line, which has no line end: the new last line has none either.
        const end = document.lineAt(document.lineCount - 1).range.end;
        range = from < document.lineCount ? new vscode.Range(from, 0, end.line, end.character) : new vscode.Range(end, end);
        text = (from < document.lineCount ? '' : eol) + texts.join(eol);
      } else if (from > 0) {
        // Deleting the last lines: the line end before them goes too.
        range = new vscode.Range(from - 1, Number.MAX_SAFE_INTEGER, document.lineCount - 1, Number.MAX_SAFE_INTEGER);
        text = '';
      } else {
        range = new vscode.Range(0, 0, document.lineCount - 1, Number.MAX_SAFE_INTEGER);
        text = '';
      }
      range = document.validateRange(range);
      workspaceEdit.replace(document.uri, range, text);
    }
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const own: OwnEdit = {
      before: document.version,
      commit: () => {
        commit();
        arrived();
      },
      seen: [],
    };
    this.ownEdit = own;
    let applied: boolean;
    try {
      applied = await vscode.workspace.applyEdit(workspaceEdit);
    } catch {
      applied = false;
    }
    // VS Code applies an edit only to the version it was made for, as one change (the next version): any other
    // change seen meanwhile was the user's.
    if (applied) own.version = own.before + 1;
    const seen = own.seen.splice(0);
    let committed = false;
    for (const { event, version } of seen) {
      if (version === own.version && !committed) {
        committed = true;
        own.commit();
      } else this.userChange(event);
    }
    if (applied && !committed) await arrival; // its change event is still to come: the handler commits it
    else this.ownEdit = undefined;
    this.onChange(this);
    return applied;
  }

  /** Every change of the document: ours commits its plan; the user's moves or marks the tracked lines. */
  onDocumentChange(event: vscode.TextDocumentChangeEvent): void {
    // A change of the dirty state alone comes as an event without changes.
    if (event.contentChanges.length === 0) return;
    const own = this.ownEdit;
    if (own) {
      if (own.version === undefined) {
        own.seen.push({ event, version: event.document.version });
        return;
      }
      if (event.document.version === own.version) {
        this.ownEdit = undefined;
        own.commit();
        this.onChange(this);
        return;
      }
    }
    this.userChange(event);
  }

  private userChange(event: vscode.TextDocumentChangeEvent): void {
    let touched = false;
    for (const change of event.contentChanges) touched = this.track(change) || touched;
    if (touched) this.onChange(this);
  }

  /** Follows one change of the user's; true when it touched the region. */
  private track(change: vscode.TextDocumentContentChangeEvent): boolean {
    const startLine = change.range.start.line;
    const endLine = change.range.end.line;
    const added = (change.text.match(/\r\n|\r|\n/g) ?? []).length;
    const delta = added - (endLine - startLine);
    if (startLine >= this.end) return false;
    if (endLine < this.start) {
      this.start += delta;
      return false;
    }
    if (startLine < this.start) {
      // The change starts above the region and reaches into it: the lines it covers are gone; it starts where the change does.
      const covered = Math.min(endLine, this.end - 1) - this.start + 1;
      this.lines.splice(0, covered, ...Array.from({ length: added + 1 }, () => ({ id: nextEntryId++, kind: 'user' as Kind })));
      this.start = startLine;
      return true;
    }
    const s = startLine - this.start;
    const e = Math.min(endLine - this.start, this.lines.length - 1);
    const first = this.lines[s];
    if (first) this.makeUsers(first);
    this.lines.splice(s + 1, Math.max(0, e - s), ...Array.from({ length: added }, () => ({ id: nextEntryId++, kind: 'user' as Kind })));
    return true;
  }

  private makeUsers(entry: Entry): void {
    if (entry.kind === 'removed' || entry.kind === 'added' || entry.kind === 'pending' || entry.kind === 'same') {
      // A pending line keeps its place in the original (o), so the stream still knows where it is; it is never removed.
      entry.kind = 'user';
    }
  }

  /** Accept (true) or reject (false) hunk `hunk`: one undoable edit that deletes the other side. */
  decide(hunk: number, accept: boolean): Promise<unknown> {
    return this.serial(async () => {
      if (this.state !== 'review' || this.decided.has(hunk)) return;
      await this.deleteWhere((e) => e.hunk === hunk && e.kind === (accept ? 'removed' : 'added'), (e) => e.hunk === hunk, () => this.decided.add(hunk));
      this.endIfDone();
    });
  }

  /** Reject All: the added lines go; the document is as it was (byte for byte, unless the user typed in it). */
  rejectAll(): Promise<unknown> {
    return this.serial(async () => {
      if (this.state === 'ended') return;
      this.abort.abort();
      const open = (e: Entry) => e.hunk !== undefined && !this.decided.has(e.hunk);
      await this.deleteWhere((e) => open(e) && e.kind === 'added', open, () => undefined);
      this.end_();
    });
  }

  /**
   * Accept All in two undo steps: the added lines go (the document as it was), then the removed lines are replaced by
   * the new ones in one edit. One Undo after Accept All gives the code as it was.
   */
  acceptAll(): Promise<unknown> {
    return this.serial(async () => {
      if (this.state !== 'review') return;
      const open = (e: Entry) => e.hunk !== undefined && !this.decided.has(e.hunk);
      // The new lines of each hunk, and where they go: the hunk's first removed line, or the line after them.
      const plans = new Map<number, { texts: string[]; anchor?: number }>();
      this.lines.forEach((e, i) => {
        if (!open(e)) return;
        const plan = plans.get(e.hunk!) ?? { texts: [] };
        if (e.kind === 'added') {
          plan.texts.push(this.document.lineAt(this.start + i).text);
          plan.anchor = this.lines[i + 1]?.id ?? -1;
        }
        plans.set(e.hunk!, plan);
      });
      for (const [hunk, plan] of plans) {
        const firstRemoved = this.lines.find((e) => e.hunk === hunk && e.kind === 'removed');
        if (firstRemoved) plan.anchor = firstRemoved.id;
      }
      await this.deleteWhere((e) => open(e) && e.kind === 'added', () => false, () => undefined);
      const inserts = new Map<number, string[]>();
      for (const plan of plans.values()) if (plan.texts.length > 0) inserts.set(plan.anchor ?? -1, plan.texts);
      // Second step: each hunk's removed lines become its new lines (rebuilt if the user typed in between).
      for (let attempt = 0; ; attempt++) {
        const edits: { from: number; to: number; texts: string[] }[] = [];
        for (let i = 0; i <= this.lines.length; ) {
          const texts = inserts.get(this.lines[i]?.id ?? -1);
          let j = i;
          while (j < this.lines.length && open(this.lines[j]) && this.lines[j].kind === 'removed') j++;
          if (texts || j > i) edits.push({ from: this.start + i, to: this.start + j, texts: texts ?? [] });
          i = Math.max(j, i + 1);
        }
        const lines: Entry[] = [];
        for (const entry of this.lines) {
          const texts = inserts.get(entry.id);
          if (texts) lines.push(...texts.map(() => ({ id: nextEntryId++, kind: 'same' as Kind })));
          if (!(open(entry) && entry.kind === 'removed')) lines.push(entry);
        }
        const tail = inserts.get(-1);
        if (tail) lines.push(...tail.map(() => ({ id: nextEntryId++, kind: 'same' as Kind })));
        if (await this.write(edits, () => (this.lines = lines))) break;
        if (attempt > 50) throw new Error('the document keeps changing under the edit');
      }
      for (const hunk of plans.keys()) this.decided.add(hunk);
      this.end_();
    });
  }

  /** Deletes the lines `remove` picks (one edit); `settle` picks lines whose hunk is decided by it. */
  private async deleteWhere(remove: (e: Entry) => boolean, settle: (e: Entry) => boolean, decided: () => void): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const edits: { from: number; to: number; texts: string[] }[] = [];
      for (let i = 0; i < this.lines.length; ) {
        if (!remove(this.lines[i])) {
          i++;
          continue;
        }
        let j = i;
        while (j < this.lines.length && remove(this.lines[j])) j++;
        edits.push({ from: this.start + i, to: this.start + j, texts: [] });
        i = j;
      }
      const lines = this.lines.filter((e) => !remove(e));
      const ok = await this.write(edits, () => {
        this.lines = lines;
        for (const e of lines) if (settle(e) && (e.kind === 'removed' || e.kind === 'added')) e.kind = 'same';
        decided();
      });
      if (ok) return;
    }
    throw new Error('the document keeps changing under the edit');
  }

  /** The stream ended (or was stopped): review, or nothing to review. */
  streamEnded(ops: readonly DiffOp[]): Promise<unknown> {
    this.enqueue(ops);
    return this.serial(async () => {
      if (this.state === 'ended') return;
      this.state = 'review';
      this.endIfDone();
      this.onChange(this);
    });
  }

  private endIfDone(): void {
    if (this.state === 'review' && this.hunks().length === 0) this.end_();
  }

  private end_(): void {
    this.state = 'ended';
    this.onChange(this);
  }
}
