// A question as the user sent it: text, the code, files and problems it is about (folded), and attached images.
import type { UserTurn } from '../../common/chatTypes';
import { button, h } from '../common/dom';
import { imageDataUrl, thumbnail } from './thumbnail';

export function renderUserTurn(turn: UserTurn): HTMLElement {
  const el = h('div', { class: 'turn', 'data-role': 'user', 'data-turn-id': turn.id },
    h('div', { class: 'turn-label' }, 'You',
      button('Restore: undo the file changes of this question and after it, and ask it again', { class: 'restore-question', 'data-action': 'restoreQuestion' }, 'Restore')),
  );
  if (turn.text) el.append(h('div', { class: 'user-text' }, turn.text));
  for (const c of turn.context) {
    const where = c.startLine === undefined ? c.path : `${c.path}:${lineRange(c.startLine, c.endLine)}`;
    el.append(h('div', { class: 'context-item', 'data-item-id': c.id, 'data-omitted': c.omitted ? 'true' : undefined },
      h('details', { class: 'code-context', 'data-context-kind': c.kind, 'data-omitted': c.omitted ? 'true' : undefined },
        h('summary', {}, c.omitted ? `${where} (removed from the conversation)` : where),
        h('pre', { tabindex: '0' }, h('code', {}, c.text)),
      ),
      omitButton(where, c.omitted === true),
    ));
  }
  if (turn.images.length > 0) {
    const images = h('div', { class: 'user-images' });
    for (const image of turn.images) {
      // An image whose data is not valid base64 is left out rather than shown broken.
      if (!imageDataUrl(image)) continue;
      const name = image.name || 'Attached image';
      const item = h('div', { class: 'user-image', 'data-item-id': image.id, 'data-omitted': image.omitted ? 'true' : undefined });
      if (!image.omitted) {
        item.append(thumbnail(image, name), omitButton(`image ${name}`, false));
        images.append(item);
        continue;
      }
      // Still shown, so the turn reads as it was asked, but marked: later questions no longer send it.
      const removed = thumbnail(image, `${name} (removed from the conversation)`);
      removed.classList.add('omitted');
      removed.title = `${name}: removed from the conversation`;
      item.append(removed, omitButton(`image ${name}`, true));
      images.append(item);
    }
    el.append(images);
  }
  // Edit puts the question back in the composer; sending it replaces this turn and every later one.
  el.append(h('div', { class: 'question-actions' },
    button('Edit this question and send it again (later turns are replaced)', { class: 'question-action', 'data-action': 'editQuestion' }, 'Edit')));
  return el;
}

/** "9" for one line, "9–12" for a range: a chip or a heading never says "9–9". */
export function lineRange(start: number, end = start): string {
  return end === start ? String(start) : `${start}–${end}`;
}

/**
 * Drops an attachment from what later questions send (they resend the whole conversation), or adds it back. The
 * conversation view posts `setOmitted` for it (data-action="omit" / "restore").
 */
function omitButton(what: string, omitted: boolean): HTMLButtonElement {
  return omitted
    ? button(`Add ${what} back to the conversation`, { class: 'omit-toggle', 'data-action': 'restore' }, 'Add back')
    : button(`Remove ${what} from the conversation (later questions no longer send it)`, { class: 'omit-toggle', 'data-action': 'omit' }, 'Remove from conversation');
}
