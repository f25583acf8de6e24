// Failures of a language model request as VS Code's LanguageModelError codes, with the same clear sentences as the
// chat panel (chat/errors.ts). The host builds the LanguageModelError; this decides the code and the words. Pure.
import { badSettingError, toTurnError, type ErrorContext } from '../request/errors';
import type { SettingProblem } from '../request/settings';
import type { TurnError } from '../../common/chatTypes';

/** `LanguageModelError` codes: the three VS Code names, and `Unknown` for the rest (rate limits, network, …). */
export type LmErrorCode = 'NoPermissions' | 'Blocked' | 'NotFound' | 'Unknown';

export interface LmFailure {
  code: LmErrorCode;
  message: string;
  /** The key is missing or was rejected: offer Set API Key. */
  needsKey: boolean;
  /** The chat panel's error code (`auth`, `rate_limit`, …), for the log. */
  reason: string;
}

export const SET_KEY_HINT = 'Run "FastRouter: Set API Key" (get a key at https://fastrouter.ai).';

export function noKeyFailure(): LmFailure {
  return { code: 'NoPermissions', message: `No FastRouter API key is set. ${SET_KEY_HINT}`, needsKey: true, reason: 'no_key' };
}

export function lmFailure(error: unknown, context: ErrorContext = {}): LmFailure {
  return lmFailureOf(toTurnError(error, context));
}

/**
 * The LanguageModelError code and words for the chat's TurnError (what the request pipeline returns). `notSent`: the
 * pipeline held the request back (an invalid setting is then `Unknown`, where a 404 for the model is `NotFound`).
 */
export function lmFailureOf(turn: TurnError, notSent = false): LmFailure {
  if (turn.code === 'no_key') return noKeyFailure();
  if (notSent && turn.code === 'bad_setting') return { code: 'Unknown', message: turn.message, needsKey: false, reason: 'bad_setting' };
  switch (turn.code) {
    case 'auth':
      return { code: 'NoPermissions', message: `FastRouter rejected the API key. ${SET_KEY_HINT}`, needsKey: true, reason: turn.code };
    case 'billing':
    case 'moderation':
      return { code: 'Blocked', message: turn.message, needsKey: false, reason: turn.code };
    case 'bad_setting':
      return { code: 'NotFound', message: turn.message, needsKey: false, reason: turn.code };
    default:
      return { code: 'Unknown', message: turn.message, needsKey: false, reason: turn.code };
  }
}

/** Settings a language model request does not use: VS Code picks the model, and callers bring their own system prompt. */
const UNUSED_BY_LM: ReadonlySet<string> = new Set(['model', 'systemPrompt']);

/** The first invalid setting that shapes a language model request (then nothing is sent), if any. */
export function blockingSettingProblem(problems: readonly SettingProblem[]): SettingProblem | undefined {
  return problems.find((problem) => problem.blocksRequests && !UNUSED_BY_LM.has(problem.key));
}

export function badSettingFailure(problem: SettingProblem): LmFailure {
  return { code: 'Unknown', message: badSettingError(problem).message, needsKey: false, reason: 'bad_setting' };
}
