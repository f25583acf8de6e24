// Clicks inside the log: links, code block buttons, "open image", and the buttons of an answer's footer.
import { checkLink } from '../../common/links';
import { type WebviewToHost } from '../../common/protocol';
import type { MarkdownRenderer } from './markdown';
import { DECISION_BUTTONS } from './toolCall';

export interface AnswerActionsInput {
  renderer: MarkdownRenderer;
  post(message: WebviewToHost): void;
  announce(text: string): void;
}

/** Handles a click (or auxclick) in the log; nothing inside it ever navigates the webview. */
export function handleAnswerClick(event: MouseEvent, { renderer, post, announce }: AnswerActionsInput): void {
  const target = event.target as Element;
  const link = target.closest('a');
  if (link) {
    // Nothing navigates inside the webview; the host opens web links after checking the scheme again.
    event.preventDefault();
    const href = link.getAttribute('href');
    const checked = href ? checkLink(href) : undefined;
    if (checked?.ok) post({ type: 'openLink', href: checked.url });
    return;
  }
  const actionButton = target.closest<HTMLButtonElement>('button[data-action]');
  if (!actionButton) return;
  const action = actionButton.dataset.action;
  const codeBlock = actionButton.closest('.code-block');
  if (codeBlock) {
    const source = renderer.codeSources.get(codeBlock);
    if (!source) return;
    if (action === 'wrap') {
      const wrapped = codeBlock.getAttribute('data-wrap') !== 'true';
      codeBlock.setAttribute('data-wrap', String(wrapped));
      actionButton.setAttribute('aria-pressed', String(wrapped));
    } else if (action === 'copy') {
      post({ type: 'copyCode', code: source.code });
      flashLabel(actionButton, 'Copied');
      announce('Code copied.');
    } else if (action === 'insert') post({ type: 'insertCode', code: source.code });
    else if (action === 'replace') post({ type: 'replaceSelection', code: source.code });
    else if (action === 'newFile') post({ type: 'newFile', code: source.code, language: source.language });
    return;
  }
  if (action === 'openImage') {
    const url = actionButton.closest<HTMLElement>('.image-placeholder')?.dataset.url;
    const checked = url ? checkLink(url) : undefined;
    if (checked?.ok) post({ type: 'openLink', href: checked.url });
    return;
  }
  const turnId = actionButton.closest<HTMLElement>('.turn')?.dataset.turnId;
  if (!turnId) return;
  const toolUseId = actionButton.closest<HTMLElement>('.tool-call')?.dataset.toolId;
  if (toolUseId && (action === 'toolApply' || action === 'toolReject' || action === 'toolAllowForChat')) {
    // One decision per card: its buttons go quiet until the host redraws the card as Applied / Rejected.
    for (const b of actionButton.parentElement?.querySelectorAll<HTMLButtonElement>(DECISION_BUTTONS) ?? []) b.disabled = true;
    post({ type: 'toolDecision', turnId, toolUseId, decision: action === 'toolApply' ? 'apply' : action === 'toolAllowForChat' ? 'allowForChat' : 'reject' });
    return;
  }
  if (action === 'toolApplyAll' || action === 'toolRejectAll') {
    // Every card of this answer that still waits, in order; each card still works on its own.
    const turn = actionButton.closest<HTMLElement>('.turn');
    for (const b of turn?.querySelectorAll<HTMLButtonElement>('.tool-summary button') ?? []) b.disabled = true;
    for (const card of turn?.querySelectorAll<HTMLElement>('.tool-call[data-tool-state="approval"]') ?? []) {
      const id = card.dataset.toolId;
      if (!id || !card.querySelector('.tool-card .tool-stat')) continue;
      for (const b of card.querySelectorAll<HTMLButtonElement>(DECISION_BUTTONS)) b.disabled = true;
      post({ type: 'toolDecision', turnId, toolUseId: id, decision: action === 'toolApplyAll' ? 'apply' : 'reject' });
    }
    return;
  }
  if (action === 'openFileChange') {
    const index = Number(actionButton.dataset.index);
    if (Number.isInteger(index) && index >= 0) post({ type: 'openFileChange', turnId, index });
    return;
  }
  if (toolUseId && action === 'toolDiff') {
    post({ type: 'showToolDiff', toolUseId });
    return;
  }
  switch (action) {
    case 'retry': case 'regenerate': post({ type: 'retry', turnId }); break;
    case 'copyAnswer':
      post({ type: 'copyAnswer', turnId });
      flashLabel(actionButton, 'Copied');
      announce('Answer copied as Markdown.');
      break;
    case 'continue': post({ type: 'continue', turnId }); break;
    case 'setApiKey': case 'openSettings': case 'openBilling': case 'showLog': case 'sendAnyway':
      post({ type: 'errorAction', turnId, action });
      break;
  }
}

/** Shows `label` on the button for a moment; a second click meanwhile restarts it (and still restores the real label). */
function flashLabel(target: HTMLButtonElement, label: string): void {
  const original = target.dataset.label ?? target.textContent ?? '';
  target.dataset.label = original;
  target.textContent = label;
  clearTimeout(Number(target.dataset.flashTimer));
  target.dataset.flashTimer = String(setTimeout(() => {
    target.textContent = original;
    delete target.dataset.label;
    delete target.dataset.flashTimer;
  }, 1500));
}
