// The "Compacted" row under an answer (issue 18 §3): from here on, the turns above are sent to Claude as a summary.
// Expandable to read the summary (Markdown, sanitised like an answer), Edit it (the edited text is what is sent) and,
// until the next question, Undo (the full turns are sent again). "Compacting…" while the summary request streams.
import { costPhrase } from '../../common/credits';
import type { CompactionView } from '../../common/chatTypes';
import type { WebviewToHost } from '../../common/protocol';
import { formatTokenCount } from '../../common/tokenCount';
import { button, h } from '../common/dom';
import type { MarkdownRenderer } from './markdown';

export function renderCompactionRow(view: CompactionView, renderer: MarkdownRenderer, post: (message: WebviewToHost) => void, open = false): HTMLElement {
  const row = h('div', { class: 'compaction', role: 'group', 'aria-label': 'Compacted', 'data-state': view.state, 'data-compaction-id': view.id });
  if (view.state === 'running') {
    row.append(h('div', { class: 'compaction-head' }, h('span', { class: 'compaction-title' }, 'Compacting…'), h('span', { class: 'compaction-note' }, 'Claude is summarising the earlier turns')));
    return row;
  }
  const facts = [
    view.covers !== undefined ? `${view.covers} question${view.covers === 1 ? '' : 's'} summarised` : undefined,
    view.tokensBefore !== undefined && view.tokensAfter !== undefined ? `≈ ${formatTokenCount(view.tokensBefore)} → ${formatTokenCount(view.tokensAfter)} tokens` : undefined,
    view.meta ? costPhrase(view.meta.cost) : undefined,
    view.trigger === 'auto' ? 'automatic' : undefined,
    view.edited ? 'edited' : undefined,
  ].filter(Boolean).join(' · ');
  const details = h('details', { class: 'compaction-details' });
  details.open = open;
  const summaryLine = h('summary', { class: 'compaction-head' }, h('span', { class: 'compaction-title' }, 'Compacted'), facts ? h('span', { class: 'compaction-note' }, facts) : null);
  const body = h('div', { class: 'compaction-summary markdown' });
  body.append(renderer.render(renderer.lex(view.summary)));
  const note = h('p', { class: 'compaction-explain' }, 'Later questions send this summary instead of the turns above; you still see them, and exports keep them.');
  const editor = h('textarea', { class: 'compaction-editor', 'aria-label': 'Summary sent instead of the turns above', rows: '12', hidden: true });
  const edit = button('Edit', { class: 'compaction-edit' });
  const save = button('Save', { class: 'compaction-save', hidden: true });
  const cancel = button('Cancel', { class: 'compaction-cancel', hidden: true });
  const editing = (on: boolean) => {
    editor.hidden = !on;
    body.hidden = on;
    edit.hidden = on;
    save.hidden = !on;
    cancel.hidden = !on;
  };
  edit.addEventListener('click', () => {
    editor.value = view.summary;
    editing(true);
    editor.focus();
  });
  cancel.addEventListener('click', () => {
    editing(false);
    edit.focus();
  });
  save.addEventListener('click', () => {
    const text = editor.value.trim();
    if (!text) {
      editor.focus();
      return;
    }
    editing(false);
    if (text !== view.summary) post({ type: 'editCompaction', id: view.id, summary: text });
  });
  details.append(summaryLine, note, body, editor, h('div', { class: 'compaction-actions' }, edit, save, cancel));
  row.append(details);
  if (view.canUndo) {
    const undo = button('Undo', { class: 'compaction-undo', title: 'Send the full turns again instead of the summary' });
    undo.addEventListener('click', () => post({ type: 'undoCompaction', id: view.id }));
    row.append(undo);
  }
  return row;
}
