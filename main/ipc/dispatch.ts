import { METHOD_NAMES, methods } from '../../shared/contract';
import type { Envelope, MethodName, MethodResult, ParsedInput } from '../../shared/contract';
import { TwinboxError } from '../../shared/errors';

/** Who is calling: hosts fill this in after checking the sender. */
export interface CallContext {
  host: 'electron' | 'web';
  /** Which page is calling (one per WebSocket or window), so work it started can end with it. */
  caller: string;
}

/** One function per contract method. Input has already passed the method's schema. */
export type HandlerTable = {
  [M in MethodName]: (input: ParsedInput<M>, context: CallContext) => Promise<MethodResult<M>>;
};

const allowed = new Set<string>(METHOD_NAMES);

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && allowed.has(name);
}

/**
 * The edge every call passes through, whichever host carried it: the method
 * must be in the contract, the input must match its schema, and whatever the
 * handler throws comes back as an error envelope with a code. Unexpected
 * errors are logged here and reach the page only as INTERNAL.
 */
export async function dispatch(
  table: HandlerTable,
  method: unknown,
  rawInput: unknown,
  context: CallContext,
  log: (message: string, error: unknown) => void = defaultLog,
): Promise<Envelope<unknown>> {
  if (!isMethodName(method)) {
    return { ok: false, error: { code: 'INVALID_REQUEST', message: `unknown method ${JSON.stringify(method)}` } };
  }
  const parsed = methods[method].input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`);
    return { ok: false, error: { code: 'INVALID_REQUEST', message: `${method}: ${issues.join('; ')}` } };
  }
  try {
    const handler = table[method] as (input: unknown, context: CallContext) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data, context) };
  } catch (error) {
    if (error instanceof TwinboxError) return { ok: false, error: error.toWire() };
    log(`${method} failed`, error);
    return { ok: false, error: { code: 'INTERNAL', message: `${method} failed unexpectedly` } };
  }
}

function defaultLog(message: string, error: unknown): void {
  console.error(`[twinbox] ${message}:`, error);
}
