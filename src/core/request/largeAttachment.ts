// A selection or file over fastrouter.maxSelectionChars: does the whole of it fit the model's context comfortably?
// Then adding it whole is the default choice and cutting is the explicit one; otherwise cutting is offered first.

/** Claude's context window when the model list does not say (every Claude model has at least this). */
export const DEFAULT_CONTEXT_LENGTH = 200_000;

/** The next request may fill at most this share of the window for "the whole of it" to stay the default. */
export const COMFORTABLE_SHARE = 0.5;

export interface AttachmentFit {
  /** The next request's share of the context window with the whole attachment (0.31 = 31 %). */
  share: number;
  /** The window the share is of (the model's, or DEFAULT_CONTEXT_LENGTH when unknown). */
  contextLength: number;
  /** Whole fits comfortably: "Add All" is the default. */
  comfortable: boolean;
}

/** How the next request with the whole attachment (`tokens`, estimated locally) sits in the model's window. */
export function attachmentFit(tokens: number, contextLength: number | undefined): AttachmentFit {
  const window = contextLength && contextLength > 0 ? contextLength : DEFAULT_CONTEXT_LENGTH;
  const share = tokens / window;
  return { share, contextLength: window, comfortable: share <= COMFORTABLE_SHARE };
}
