// The chat controller's AnswerRunner against the simulator, for unit tests: the same steps as the host's
// RequestRunner minus VS Code (stream, forward events, report retries, map the outcome and its usage).
import { MessagesClient, type MessagesClientOptions } from '../../src/api';
import type { AnswerRunner } from '../../src/core/conversation/conversationController';
import { toTurnError } from '../../src/core/request/errors';
import { retryNotice } from '../../src/core/request/retryNotice';

export function simulatorRunner(baseUrl: string, clientOptions: Partial<MessagesClientOptions> = {}, model?: string): AnswerRunner {
  const client = new MessagesClient({ apiKey: 'test-key', baseUrl, maxRetries: 0, idleTimeoutMs: 5000, ...clientOptions });
  return {
    async run(input, signal, onEvent, options) {
      const started = Date.now();
      const onRetry = options?.onRetry;
      const stream = client.stream(
        { model: model ?? 'sim-model', max_tokens: 1000, messages: input.messages, ...(input.system ? { system: input.system } : {}), ...(input.tools ? { tools: input.tools } : {}), ...(input.toolChoice ? { tool_choice: input.toolChoice } : {}) },
        { signal, onRetry: onRetry && ((info) => onRetry(retryNotice(info))) },
      );
      try {
        for await (const event of stream) onEvent(event);
        const message = await stream.finalMessage();
        const cost = message.usage.cost;
        return {
          status: 'done',
          meta: {
            model: message.model,
            inputTokens: message.usage.input_tokens,
            outputTokens: message.usage.output_tokens,
            cost: cost === undefined ? { kind: 'unknown' } : { kind: 'billed', credits: cost },
            durationMs: Date.now() - started,
            stopReason: message.stop_reason,
          },
        };
      } catch (error) {
        if (signal.aborted) return { status: 'stopped' };
        return { status: 'error', error: toTurnError(error) };
      }
    },
  };
}
