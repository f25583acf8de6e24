// The view's header: the model button and the icon buttons (History, Export, New Chat).
import type { WebviewToHost } from '../protocol';
import { button, h } from './dom';
import { icon, type IconName } from './icons';

export interface HeaderInput {
  post(message: WebviewToHost): void;
  toggleHistory(): void;
}

export class Header {
  readonly element: HTMLElement;
  readonly historyButton: HTMLButtonElement;
  private readonly modelButton: HTMLButtonElement;
  private readonly modelLabel: HTMLElement;

  constructor(input: HeaderInput) {
    this.modelLabel = h('span', { id: 'model-label' }, '');
    this.modelButton = h('button', { type: 'button', id: 'model', title: 'Change model' }, this.modelLabel, icon('chevron'));
    this.historyButton = iconButton('history', 'Conversations', { id: 'history', 'aria-expanded': 'false', 'aria-controls': 'conversation-panel' });
    const exportButton = iconButton('export', 'Export conversation as Markdown', { id: 'export-chat' });
    const newChatButton = iconButton('plus', 'New chat', { id: 'new-chat' });
    this.element = h('header', { class: 'chat-header' },
      this.modelButton,
      h('span', { class: 'spacer' }),
      this.historyButton,
      exportButton,
      newChatButton,
    );
    this.modelButton.addEventListener('click', () => input.post({ type: 'selectModel' }));
    this.historyButton.addEventListener('click', () => input.toggleHistory());
    exportButton.addEventListener('click', () => input.post({ type: 'exportChat' }));
    newChatButton.addEventListener('click', () => input.post({ type: 'newChat' }));
  }

  /** Shows the model's name (the id when the host sends none); the tooltip names the id too. */
  setModel(model: string, name?: string): void {
    const shown = name || model;
    this.modelLabel.textContent = shown;
    this.modelButton.setAttribute('aria-label', `Model: ${shown}. Change model`);
    this.modelButton.title = shown === model ? `${model}: change model` : `${shown} (${model}): change model`;
  }

  setHistoryOpen(open: boolean): void {
    this.historyButton.setAttribute('aria-expanded', String(open));
  }
}

/** A header button that shows only an icon; its name is in aria-label and the tooltip. */
function iconButton(name: IconName, label: string, attrs: Record<string, string>): HTMLButtonElement {
  const b = button(label, { class: 'icon-button', ...attrs }, '');
  b.append(icon(name));
  return b;
}
