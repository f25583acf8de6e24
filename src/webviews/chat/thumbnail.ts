// Image thumbnails (the user's attachments and the images of a sent question), drawn only from our own base64.
import type { ImageAttachment } from '../../common/chatTypes';
import { h } from '../common/dom';

/** A `data:` URL for an attachment, or undefined when its data is not plain base64 (never an arbitrary URL). */
export function imageDataUrl(image: Pick<ImageAttachment, 'mediaType' | 'data'>): string | undefined {
  return /^[A-Za-z0-9+/=\s]*$/.test(image.data) ? `data:${image.mediaType};base64,${image.data}` : undefined;
}

/** An `img.thumbnail`; without a source when the data is not valid base64. */
export function thumbnail(image: ImageAttachment, alt: string): HTMLImageElement {
  const img = h('img', { class: 'thumbnail', alt });
  const src = imageDataUrl(image);
  if (src) img.src = src;
  return img;
}
