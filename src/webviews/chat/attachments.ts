// Images the user attaches in the webview (paste, drop, and files the host read for the picker or Ask About Image):
// checked by content, and resized on a canvas when they are over the API's limits (IMAGE_LIMITS) so they can be sent.
import { sniffImageType } from '../../common/imageType';
import type { ImageAttachment, ImageMediaType } from '../../common/chatTypes';
import { IMAGE_LIMITS } from '../../common/imageType';

/** Images on one message; a request carries at most IMAGE_LIMITS.maxPerRequest in all, which the host checks. */
export const MAX_IMAGES = 20;

export function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2).replace(/\.?0+$/, '')} MB`;
}

const LIMIT_LABEL = formatMb(IMAGE_LIMITS.maxBytes);

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) binary += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(binary);
}

function fromBase64(data: string): Uint8Array<ArrayBuffer> {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The attachment's bytes as a Blob (to read its pixel size). */
export function imageBlob(image: ImageAttachment): Blob {
  return new Blob([fromBase64(image.data)], { type: image.mediaType });
}

function newId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `img-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export type ReadResult = { ok: true; image: ImageAttachment; note?: string } | { ok: false; error: string };

/** A pasted or dropped file as an image to attach: sniffed, then fitted to the API's limits. */
export async function readImageFile(file: File): Promise<ReadResult> {
  const name = (file.name || 'pasted image').slice(0, 500);
  if (file.size > IMAGE_LIMITS.maxSourceBytes) {
    return { ok: false, error: `“${name}” is ${formatMb(file.size)}; images over ${formatMb(IMAGE_LIMITS.maxSourceBytes)} cannot be attached (the API takes at most ${LIMIT_LABEL} per image; smaller ones are resized to fit).` };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const mediaType = sniffImageType(bytes);
  if (!mediaType) {
    return { ok: false, error: `“${name}” is not a supported image. Attach JPEG, PNG, GIF or WebP files.` };
  }
  return fitImage({ id: newId(), name, mediaType, data: toBase64(bytes) }, bytes);
}

/** Each try makes the picture this much smaller on each side. */
const SHRINK = 0.8;
const MAX_TRIES = 10;

/**
 * The image as it can be sent: unchanged when it is within the API's limits (at most 3.75 MB of file and 8000 pixels on
 * its longest side), else drawn smaller on a canvas and encoded again until it fits (PNG stays PNG when it can, then
 * WebP, which keeps transparency; JPEG stays JPEG). A GIF that has to be resized keeps its first frame.
 */
export async function fitImage(image: ImageAttachment, known?: Uint8Array<ArrayBuffer>): Promise<ReadResult> {
  const bytes = known ?? fromBase64(image.data);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes], { type: image.mediaType }));
  } catch {
    return { ok: false, error: `“${image.name}” could not be read as an image.` };
  }
  try {
    const { width, height } = bitmap;
    const longest = Math.max(width, height);
    if (bytes.length <= IMAGE_LIMITS.maxBytes && longest <= IMAGE_LIMITS.maxSide) return { ok: true, image };
    const formats: Array<{ type: ImageMediaType; quality?: number }> =
      image.mediaType === 'image/jpeg'
        ? [{ type: 'image/jpeg', quality: 0.9 }, { type: 'image/jpeg', quality: 0.8 }]
        : [{ type: 'image/png' }, { type: 'image/webp', quality: 0.9 }];
    let scale = Math.min(1, IMAGE_LIMITS.maxSide / longest);
    for (let attempt = 0; attempt < MAX_TRIES; attempt++, scale *= SHRINK) {
      const w = Math.max(1, Math.floor(width * scale));
      const h = Math.max(1, Math.floor(height * scale));
      const canvas = new OffscreenCanvas(w, h);
      const context = canvas.getContext('2d');
      if (!context) break;
      context.imageSmoothingQuality = 'high';
      context.drawImage(bitmap, 0, 0, w, h);
      for (const format of formats) {
        const blob = await canvas.convertToBlob(format);
        // The browser may not encode the type asked for (it falls back to PNG); only keep what it really made.
        if (blob.size > IMAGE_LIMITS.maxBytes || !blob.type.startsWith('image/')) continue;
        const out = new Uint8Array(await blob.arrayBuffer());
        const mediaType = sniffImageType(out);
        if (!mediaType) continue;
        const how = w === width && h === height ? `saved again as ${mediaType.slice(6).toUpperCase()}` : `resized to ${w}×${h}`;
        const note = `“${image.name}” (${width}×${height}, ${formatMb(bytes.length)}) was ${how} (${formatMb(out.length)}) to fit the API's limits of ${LIMIT_LABEL} and ${IMAGE_LIMITS.maxSide} pixels per image.`;
        return { ok: true, image: { ...image, mediaType, data: toBase64(out) }, note };
      }
    }
    return { ok: false, error: `“${image.name}” is ${formatMb(bytes.length)} and could not be made smaller than the API's ${LIMIT_LABEL} per image.` };
  } finally {
    bitmap.close();
  }
}
