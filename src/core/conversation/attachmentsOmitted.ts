// Dropping attachments from the context of later requests (a short note takes their place), or adding them back. The
// turn still shows them, marked. Each change stamps its exchange: the newer copy wins when windows merge.
import type { Conversation, Exchange } from './conversation';

/** Marks the images with these ids omitted wherever they were attached; returns whether any was. */
export function omitImages(conversation: Conversation, ids: ReadonlySet<string>, now: number): boolean {
  let changed = false;
  for (const exchange of conversation.exchanges) {
    if (!exchange.user.images.some((image) => ids.has(image.id))) continue;
    exchange.user.images = exchange.user.images.map((image) => (ids.has(image.id) ? { ...image, omitted: true } : image));
    exchange.updatedAt = now;
    changed = true;
  }
  return changed;
}

/** Omits (or adds back) one attached selection, file or image of a question; the exchange, or undefined when it has no such item. */
export function setAttachmentOmitted(conversation: Conversation, userTurnId: string, itemId: string, omitted: boolean, now: number): Exchange | undefined {
  const exchange = conversation.exchanges.find((e) => e.user.id === userTurnId);
  const user = exchange?.user;
  const inContext = user?.context.some((c) => c.id === itemId) ?? false;
  const inImages = user?.images.some((image) => image.id === itemId) ?? false;
  if (!exchange || !user || (!inContext && !inImages)) return undefined;
  const set = <T extends { id: string; omitted?: boolean }>(item: T): T => {
    if (item.id !== itemId) return item;
    const { omitted: _was, ...rest } = item;
    return (omitted ? { ...rest, omitted: true } : rest) as T;
  };
  user.context = user.context.map(set);
  user.images = user.images.map(set);
  exchange.updatedAt = now;
  return exchange;
}
