// What follows a finished answer: a status note, the stop reason, an error with its actions, and the meta line.
import { metaLineParts } from '../../common/credits';
import { ERROR_ACTION_LABELS } from '../../common/errorActionLabels';
import type { AnswerMeta, AnswerStatus, TurnError, TurnFileChange } from '../../common/chatTypes';
import { button, h } from '../common/dom';


const STATUS_NOTES: Partial<Record<AnswerStatus, string>> = {
  stopped: 'Stopped.',
  interrupted: 'This answer was interrupted before it finished.',
};

export interface AnswerEnd {
  status: AnswerStatus;
  meta?: AnswerMeta;
  error?: TurnError;
  /** The tool loop paused at a bound: why (Continue goes on). */
  paused?: string;
  /** Files the answer's tools and commands changed. */
  changes?: TurnFileChange[];
}

/** The footer's children for an answer that ended; buttons carry `data-action` for the log's click handler. */
export function renderAnswerFooter({ status, meta, error, paused, changes }: AnswerEnd): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (changes?.length) out.push(renderChangedFiles(changes));
  if (paused) {
    out.push(h('div', { class: 'turn-note tool-paused', role: 'status' }, paused, button('Continue', { 'data-action': 'continue' })));
  }
  const note = STATUS_NOTES[status];
  if (note) {
    out.push(h('div', { class: 'turn-note' }, note,
      status === 'interrupted' ? button('Retry', { 'data-action': 'retry' }) : null));
  }
  const stop = meta?.stopReason;
  if (stop && stop !== 'end_turn' && status !== 'stopped' && !paused) {
    out.push(h('div', { class: 'turn-note stop-reason', 'data-stop-reason': stop },
      stopReasonText(stop),
      stop === 'max_tokens' ? button('Continue', { 'data-action': 'continue' }) : null));
  }
  if (error) {
    const actions = h('div', { class: 'error-actions' });
    for (const action of error.actions) actions.append(button(ERROR_ACTION_LABELS[action], { 'data-action': action }));
    out.push(h('div', { class: 'turn-error', role: 'alert', 'data-error-code': error.code },
      h('div', { class: 'error-message' }, error.message), actions));
  }
  if (meta) out.push(renderMeta(meta));
  if (status !== 'streaming') out.push(renderAnswerActions(status));
  return out;
}

/**
 * Copy (the answer as Markdown) and Regenerate (ask the same question again). Regenerate is offered on the last answer
 * only (the stylesheet hides it elsewhere and while an answer streams); after an error or an interruption Retry does it.
 */
function renderAnswerActions(status: AnswerStatus): HTMLElement {
  return h('div', { class: 'answer-actions' },
    button('Copy this answer as Markdown', { class: 'answer-action', 'data-action': 'copyAnswer' }, 'Copy'),
    status === 'error' || status === 'interrupted' ? null : button('Regenerate this answer (ask the same question again)', { class: 'answer-action', 'data-action': 'regenerate' }, 'Regenerate'));
}

/**
 * "Changed 3 files +40 −12", expandable to the files, each with its counts; a file's button opens its diff (before the
 * question ↔ now) through the host (`data-action="openFileChange"`, `data-index` its place in the answer's list).
 */
export function renderChangedFiles(changes: readonly TurnFileChange[]): HTMLElement {
  const added = changes.reduce((n, c) => n + c.added, 0);
  const removed = changes.reduce((n, c) => n + c.removed, 0);
  const counts = (a: number, r: number) => [h('span', { class: 'added' }, `+${a}`), ' ', h('span', { class: 'removed' }, `\u2212${r}`)];
  const list = h('ul', { class: 'changed-files-list' });
  changes.forEach((change, index) => {
    const note = change.created ? ' (new)' : change.deleted ? ' (deleted)' : '';
    list.append(h('li', {},
      button(`Open the diff of ${change.path}: before the question ↔ now`, { class: 'changed-file', 'data-action': 'openFileChange', 'data-index': String(index) }, change.path + note),
      ' ', h('span', { class: 'changed-file-stat' }, ...counts(change.added, change.removed))));
  });
  return h('details', { class: 'changed-files' },
    h('summary', {}, `Changed ${changes.length} ${changes.length === 1 ? 'file' : 'files'} `, ...counts(added, removed)),
    list);
}

function stopReasonText(reason: string): string {
  switch (reason) {
    case 'max_tokens': return 'Stopped at max tokens.';
    case 'stop_sequence': return 'Stopped at a stop sequence.';
    case 'refusal': return 'The model declined to answer.';
    case 'pause_turn': return 'The model paused its turn.';
    case 'tool_use': return 'The model asked to use a tool.';
    default: return `Stopped: ${reason}.`;
  }
}

/** The meta line (common/credits.ts metaLineParts: Explain Inline and exports write the same words). */
export function renderMeta(meta: AnswerMeta): HTMLElement {
  const text = metaLineParts(meta);
  const parts = [
    h('span', { class: 'meta-model', title: meta.model }, text.model),
    h('span', { class: 'meta-tokens' }, text.tokens),
    h('span', { class: 'meta-cost', 'data-cost-kind': meta.cost.kind }, text.cost),
    h('span', { class: 'meta-time', title: 'From the question to the end of the answer, tool rounds included' }, text.time),
  ];
  const el = h('div', { class: 'answer-meta' });
  parts.forEach((part, i) => { if (i > 0) el.append(' · '); el.append(part); });
  return el;
}
