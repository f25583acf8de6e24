// Image attachments are checked by their bytes, not by their name or declared type: the API rejects a mismatch, and
// the webview's claim about a file is untrusted input. Sizes follow the API's limits (IMAGE_LIMITS in common/imageType.ts).
import type { ImageAttachment } from '../../common/chatTypes';
import { IMAGE_LIMITS, sniffImageType } from '../../common/imageType';
import { imageSizeFromBase64 } from '../request/imageSize';

export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'gif', 'webp'];

export type ImageCheck = { ok: true; attachment: ImageAttachment } | { ok: false; reason: string };

/** "3.75 MB": the file size one image may have (its base64 is the API's 5 MB). */
export const MAX_IMAGE_LABEL = '3.75 MB';

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2).replace(/\.?0+$/, '')} MB`;
}

/** Bytes of the file that `base64` encodes. */
export function decodedSize(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/** Why a file of `size` bytes cannot even be taken in to be resized, or undefined. */
export function sourceSizeProblem(name: string, size: number): string | undefined {
  return size > IMAGE_LIMITS.maxSourceBytes
    ? `${name} is ${megabytes(size)}; images over ${megabytes(IMAGE_LIMITS.maxSourceBytes)} cannot be attached (the API takes at most ${MAX_IMAGE_LABEL} per image; smaller ones are resized to fit).`
    : undefined;
}

/**
 * Why this image cannot be sent as it is (over the API's per-image size or side), or undefined. The chat resizes such
 * images when they are attached; this is the last check before a request, also for images saved in older conversations.
 */
export function imageLimitProblem(image: Pick<ImageAttachment, 'name' | 'data'>): string | undefined {
  const name = image.name || 'The image';
  if (image.data.length > IMAGE_LIMITS.maxBase64Chars) {
    return `${name} is ${megabytes(decodedSize(image.data))}; the API takes images of at most ${MAX_IMAGE_LABEL}.`;
  }
  const size = imageSizeFromBase64(image.data);
  if (size && Math.max(size.width, size.height) > IMAGE_LIMITS.maxSide) {
    return `${name} is ${size.width}×${size.height} pixels; the API takes images of at most ${IMAGE_LIMITS.maxSide} pixels on the longest side.`;
  }
  return undefined;
}

/** A file's bytes as an image to attach (file picker, Ask About Image); it may still need resizing to be sent. */
export function imageFromBytes(id: string, name: string, bytes: Uint8Array): ImageCheck {
  const tooLarge = sourceSizeProblem(name, bytes.length);
  if (tooLarge) return { ok: false, reason: tooLarge };
  const mediaType = sniffImageType(bytes);
  if (!mediaType) return { ok: false, reason: `${name} is not a JPEG, PNG, GIF or WebP image.` };
  return { ok: true, attachment: { id, name, mediaType, data: Buffer.from(bytes).toString('base64') } };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Checks an image that came from the webview (paste, drop, and files it resized): real base64, the right type, and
 * within the API's limits. `fit: false` (images about to be attached, not sent) only checks that it can be resized.
 */
export function checkAttachment(image: ImageAttachment, options: { fit?: boolean } = {}): ImageCheck {
  const name = image.name || 'The image';
  if (image.data.length % 4 !== 0 || !BASE64.test(image.data)) return { ok: false, reason: `${name} is not valid image data.` };
  const head = Buffer.from(image.data.slice(0, 24), 'base64');
  const actual = sniffImageType(head);
  if (!actual) return { ok: false, reason: `${name} is not a JPEG, PNG, GIF or WebP image.` };
  if (actual !== image.mediaType) return { ok: false, reason: `${name} says it is ${image.mediaType} but is ${actual}.` };
  const problem = options.fit === false ? sourceSizeProblem(name, decodedSize(image.data)) : imageLimitProblem(image);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, attachment: image };
}
