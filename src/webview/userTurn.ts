// A question as the user sent it: text, the code, files and problems it is about (folded), and attached images.
import type { UserTurn } from '../protocol';
import { h } from './dom';
import { imageDataUrl, thumbnail } from './thumbnail';

export function renderUserTurn(turn: UserTurn): HTMLElement {
  const el = h('div', { class: 'turn', 'data-role': 'user', 'data-turn-id': turn.id },
    h('div', { class: 'turn-label' }, 'You'),
  );
  if (turn.text) el.append(h('div', { class: 'user-text' }, turn.text));
  for (const c of turn.context) {
    const where = c.startLine === undefined ? c.path : `${c.path}:${c.startLine}–${c.endLine ?? c.startLine}`;
    el.append(h('details', { class: 'code-context', 'data-context-kind': c.kind, 'data-omitted': c.omitted ? 'true' : undefined },
      h('summary', {}, c.omitted ? `${where} (removed from the conversation)` : where),
      h('pre', { tabindex: '0' }, h('code', {}, c.text)),
    ));
  }
  if (turn.images.length > 0) {
    const images = h('div', { class: 'user-images' });
    for (const image of turn.images) {
      // An image whose data is not valid base64 is left out rather than shown broken.
      if (imageDataUrl(image)) images.append(thumbnail(image, image.name || 'Attached image'));
    }
    el.append(images);
  }
  return el;
}
