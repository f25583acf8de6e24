// Images are checked against the API's limits before a request is sent, and an image the API refuses can be dropped
// from the conversation: one bad image must never make a conversation unusable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageParam } from '../../src/api';
import { Conversation } from '../../src/core/conversation/conversation';
import { buildRequest } from '../../src/core/conversation/conversationRequest';
import { buildUserContent } from '../../src/core/request/prompt';
import { imagesBlamedBy, imagesInRequest, requestImagesError } from '../../src/core/request/requestImages';
import type { ImageAttachment } from '../../src/common/chatTypes';
import { IMAGE_LIMITS } from '../../src/common/imageType';

const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff61', 'hex');

function png(id: string, bytes = 200, salt = id): ImageAttachment {
  const data = Buffer.concat([PNG_HEAD, Buffer.from(salt), Buffer.alloc(Math.max(0, bytes - PNG_HEAD.length - salt.length))]);
  return { id, name: `${id}.png`, mediaType: 'image/png', data: data.toString('base64') };
}

function conversationWith(...turns: ImageAttachment[][]): Conversation {
  const c = Conversation.create('c', 1);
  turns.forEach((images, i) => {
    const e = c.addExchange({ text: `q${i}`, images }, { user: `u${i}`, answer: `a${i}` }, 2);
    if (i < turns.length - 1) {
      e.answer.status = 'done';
      e.answer.messages = [{ content: [{ type: 'text', text: `answer ${i}` }], complete: true }];
    }
  });
  return c;
}

function request(c: Conversation): MessageParam[] {
  return buildRequest(c.exchanges, c.exchanges.length - 1, 'answer', buildUserContent).messages;
}

test('the images a request sends are found, oldest first; dropped ones are not sent', () => {
  const a = png('a');
  const b = { ...png('b'), omitted: true };
  const c = png('c');
  const conversation = conversationWith([a, b], [c]);
  const images = imagesInRequest(request(conversation), conversation.exchanges);
  assert.deepEqual(images.map((i) => i.id), ['a', 'c']);
  assert.equal(requestImagesError(images), undefined);
  assert.match(JSON.stringify(request(conversation)), /An image \(b\.png\) was attached here; the user removed it/);
});

test('an image over 3.75 MB (e.g. saved before the limit was checked) stops the request and names itself', () => {
  const big = png('big', IMAGE_LIMITS.maxBytes + 10);
  const conversation = conversationWith([big], []);
  const error = requestImagesError(imagesInRequest(request(conversation), conversation.exchanges));
  assert.ok(error);
  assert.equal(error.code, 'image_limit');
  assert.match(error.message, /^Not sent: big\.png is 3\.75 MB; the API takes images of at most 3\.75 MB\. Remove it from the conversation to go on\.$/);
  assert.deepEqual(error.actions, ['removeImages']);
  assert.deepEqual(error.imageIds, ['big']);
});

test('more than 100 images in one request: the oldest over the limit are the ones to remove', () => {
  const turns = Array.from({ length: 6 }, (_, t) => Array.from({ length: 20 }, (_, i) => png(`t${t}i${i}`, 100)));
  const conversation = conversationWith(...turns, []);
  const images = imagesInRequest(request(conversation), conversation.exchanges);
  assert.equal(images.length, 120);
  const error = requestImagesError(images);
  assert.ok(error);
  assert.equal(error.code, 'too_many_images');
  assert.match(error.message, /sends 120 images, and a request can carry at most 100\. Remove the 20 oldest/);
  assert.deepEqual(error.imageIds, turns[0].map((i) => i.id));
  assert.equal(requestImagesError(images.slice(0, 100)), undefined, 'exactly 100 is fine');
});

test('an API error naming an image block blames that image; one only mentioning images blames the last question\'s', () => {
  const a = png('a');
  const b = png('b');
  const c = png('c');
  const conversation = conversationWith([a], [b, c]);
  const messages = request(conversation);
  // messages: [user(a + q0), assistant, user(b, c, q1)]
  const named = imagesBlamedBy('messages.2.content.1.image.source.base64: image exceeds 5 MB maximum', messages, conversation.exchanges);
  assert.deepEqual(named.map((i) => i.id), ['c']);
  const vague = imagesBlamedBy('Could not process image', messages, conversation.exchanges);
  assert.deepEqual(vague.map((i) => i.id), ['b', 'c']);
  assert.deepEqual(imagesBlamedBy('max_tokens: too large', messages, conversation.exchanges), [], 'not about images');
});
