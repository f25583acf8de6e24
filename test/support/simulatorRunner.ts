// The chat controller's AnswerRunner against the simulator, for unit tests: the same steps as the host's
// RequestRunner minus VS Code (stream, forward events, report retries, map the outcome and its usage).
import { MessagesClient, type MessageCreateParams, type MessagesClientOptions } from '../../src/api';
import type { AnswerRunner } from '../../src/core/conversation/answerRun';
import { withPromptCaching } from '../../src/core/request/promptCaching';
import { toTurnError } from '../../src/core/request/errors';
import { retryNotice } from '../../src/core/request/retryNotice';

export interface SimulatorRunnerOptions {
  /** Cache breakpoints as the request pipeline adds them (fastrouter.promptCaching). */
  promptCaching?: boolean;
  /** Every request as sent, with the ledger source it would be booked under. */
  onRequest?: (params: MessageCreateParams, source: string) => void;
}

export function simulatorRunner(baseUrl: string, clientOptions: Partial<MessagesClientOptions> = {}, model?: string, options: SimulatorRunnerOptions = {}): AnswerRunner {
  const client = new MessagesClient({ apiKey: 'test-key', baseUrl, maxRetries: 0, idleTimeoutMs: 5000, ...clientOptions });
  return {
    async run(input, signal, onEvent, runOptions) {
      const started = Date.now();
      const onRetry = runOptions?.onRetry;
      let params: MessageCreateParams = { model: model ?? 'sim-model', max_tokens: 1000, messages: input.messages, ...(input.system ? { system: input.system } : {}), ...(input.tools ? { tools: input.tools } : {}), ...(input.toolChoice ? { tool_choice: input.toolChoice } : {}) };
      if (options.promptCaching) params = withPromptCaching(params).params;
      options.onRequest?.(params, input.source ?? 'chat');
      const stream = client.stream(params, { signal, onRetry: onRetry && ((info) => onRetry(retryNotice(info))) });
      try {
        for await (const event of stream) onEvent(event);
        const message = await stream.finalMessage();
        const cost = message.usage.cost;
        const cacheRead = message.usage.cache_read_input_tokens ?? 0;
        const cacheWrite = message.usage.cache_creation_input_tokens ?? 0;
        return {
          status: 'done',
          meta: {
            model: message.model,
            // As the pipeline counts them: uncached + cache reads + cache writes.
            inputTokens: message.usage.input_tokens + cacheRead + cacheWrite,
            ...(cacheRead ? { cacheReadTokens: cacheRead } : {}),
            ...(cacheWrite ? { cacheWriteTokens: cacheWrite } : {}),
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
