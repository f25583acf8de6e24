// Failures of a language model request as VS Code's LanguageModelError codes, with the same clear sentences as the
// chat panel (chat/errors.ts). The host builds the LanguageModelError; this decides the code and the words. Pure.
import { toTurnError, type ErrorContext } from './errors';

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
  const turn = toTurnError(error, context);
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
