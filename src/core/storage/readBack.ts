// Checks for data read back from the extension's own files (the checkpoint index, the cost summary), where each record
// is checked and a damaged one dropped rather than the whole file trusted or refused.

export const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
export const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
