// What follows a finished answer: a status note, the stop reason, an error with its actions, and the meta line.
import { costPhrase } from '../../common/credits';
import { ERROR_ACTION_LABELS } from '../../common/errorActionLabels';
import type { AnswerMeta, AnswerStatus, TurnError } from '../../common/protocol';
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
}

/** The footer's children for an answer that ended; buttons carry `data-action` for the log's click handler. */
export function renderAnswerFooter({ status, meta, error, paused }: AnswerEnd): HTMLElement[] {
  const out: HTMLElement[] = [];
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

export function renderMeta(meta: AnswerMeta): HTMLElement {
  const parts = [
    h('span', { class: 'meta-model', title: meta.model }, meta.modelName || meta.model),
    h('span', { class: 'meta-tokens' }, tokensText(meta)),
    h('span', { class: 'meta-cost', 'data-cost-kind': meta.cost.kind }, costText(meta)),
    h('span', { class: 'meta-time' }, `${(meta.durationMs / 1000).toFixed(1)} s`),
  ];
  const el = h('div', { class: 'answer-meta' });
  parts.forEach((part, i) => { if (i > 0) el.append(' · '); el.append(part); });
  return el;
}

/** "3,400 in · 2,900 cached · 120 out": `cached` is the part of the input read from the prompt cache. */
export function tokensText(meta: AnswerMeta): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const cached = meta.cacheReadTokens ? ` · ${n(meta.cacheReadTokens)} cached` : '';
  return `${n(meta.inputTokens)} in${cached} · ${n(meta.outputTokens)} out`;
}

function costText(meta: AnswerMeta): string {
  return costPhrase(meta.cost);
}
