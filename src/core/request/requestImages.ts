// The images a request would carry, checked against the API's limits before it is sent (count per request, size and
// side per image), and the images an API error points at. Either way the error offers to remove those images from the
// conversation, so one bad image never makes a conversation unusable. Pure: no vscode, no I/O.
import type { MessageParam } from '../../api';
import type { ImageAttachment, TurnError } from '../../common/chatTypes';
import { IMAGE_LIMITS } from '../../common/imageType';
import { imageLimitProblem } from '../conversation/conversationImages';
import type { Exchange } from '../conversation/conversation';

/** The conversation's images that a request built from `messages` sends, oldest first (matched by their data). */
export function imagesInRequest(messages: readonly MessageParam[], exchanges: readonly Exchange[]): ImageAttachment[] {
  const byData = new Map<string, ImageAttachment>();
  for (const exchange of exchanges) for (const image of exchange.user.images) if (!image.omitted) byData.set(image.data, image);
  const out: ImageAttachment[] = [];
  for (const message of messages) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) {
      if (block.type !== 'image' || block.source.type !== 'base64') continue;
      const image = byData.get(block.source.data);
      if (image) out.push(image);
    }
  }
  return out;
}

/** Why this request must not be sent because of its images, as the error to show; undefined when they are fine. */
export function requestImagesError(images: readonly ImageAttachment[]): TurnError | undefined {
  const oversize = images.map((image) => ({ image, problem: imageLimitProblem(image) })).filter((x) => x.problem !== undefined);
  if (oversize.length > 0) {
    const more = oversize.length > 1 ? ` (${oversize.length - 1} more image${oversize.length > 2 ? 's are' : ' is'} over the limits too)` : '';
    return {
      code: 'image_limit',
      message: `Not sent: ${oversize[0].problem}${more} Remove ${oversize.length > 1 ? 'them' : 'it'} from the conversation to go on.`,
      actions: ['removeImages'],
      imageIds: oversize.map((x) => x.image.id),
    };
  }
  if (images.length > IMAGE_LIMITS.maxPerRequest) {
    const extra = images.length - IMAGE_LIMITS.maxPerRequest;
    return {
      code: 'too_many_images',
      message: `Not sent: this conversation sends ${images.length} images, and a request can carry at most ${IMAGE_LIMITS.maxPerRequest}. Remove the ${extra} oldest from the conversation to go on.`,
      actions: ['removeImages'],
      imageIds: images.slice(0, extra).map((image) => image.id),
    };
  }
  return undefined;
}

/**
 * The images an API error is about: the one its path names (`messages.3.content.0…`), else every image of the last
 * question that has any (the likeliest culprit). Empty when the error is not about images.
 */
export function imagesBlamedBy(errorMessage: string, messages: readonly MessageParam[], exchanges: readonly Exchange[]): ImageAttachment[] {
  if (!/\bimage/i.test(errorMessage)) return [];
  const path = /messages\.(\d+)\.content\.(\d+)/.exec(errorMessage);
  if (path) {
    const block = messages[Number(path[1])]?.content;
    const named = typeof block === 'string' ? undefined : block?.[Number(path[2])];
    if (named?.type === 'image' && named.source.type === 'base64') {
      const found = imagesInRequest([{ role: 'user', content: [named] }], exchanges);
      if (found.length > 0) return found;
    }
  }
  const withImages = imagesInRequest(messages, exchanges);
  if (withImages.length === 0) return [];
  const last = [...exchanges].reverse().find((e) => e.user.images.some((image) => !image.omitted && withImages.includes(image)));
  return last ? last.user.images.filter((image) => !image.omitted) : [];
}
