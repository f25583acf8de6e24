// The view's header: the model button, the chat's title and History. New Chat and Export live only in the view's title bar (package.json
// `view/title`), as native views keep their actions in one place.
import type { WebviewToHost } from '../../common/protocol';
import { button, h } from '../common/dom';
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
  private readonly chatTitle: HTMLElement;

  constructor(input: HeaderInput) {
    this.modelLabel = h('span', { id: 'model-label' }, '');
    this.modelButton = h('button', { type: 'button', id: 'model', title: 'Change model' }, this.modelLabel, icon('chevron'));
    this.historyButton = iconButton('history', 'Conversations', { id: 'history', 'aria-expanded': 'false', 'aria-controls': 'conversation-panel' });
    this.chatTitle = h('span', { id: 'chat-title' }, 'New chat');
    this.element = h('header', { class: 'chat-header' },
      this.modelButton,
      this.chatTitle,
      this.historyButton,
    );
    this.modelButton.addEventListener('click', () => input.post({ type: 'selectModel' }));
    this.historyButton.addEventListener('click', () => input.toggleHistory());
  }

  /** Shows the model's name (without the provider prefix when the host sends none: a narrow sidebar cannot fit it); the tooltip names the id too. */
  setModel(model: string, name?: string): void {
    const shown = name?.trim() || model.slice(model.lastIndexOf('/') + 1) || model;
    this.modelLabel.textContent = shown;
    this.modelButton.setAttribute('aria-label', `Model: ${shown}. Change model`);
    this.modelButton.title = name?.trim() && name.trim() !== model ? `${shown} (${model}): change model` : `${model}: change model`;
  }

  /** Names the chat you are in (its title, from the first question). */
  setChatTitle(title: string | undefined): void {
    const shown = title?.trim() || 'New chat';
    this.chatTitle.textContent = shown;
    this.chatTitle.title = shown;
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
