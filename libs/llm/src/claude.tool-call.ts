import type { Anthropic } from '@anthropic-ai/sdk';
import { CancelledError, ErrorCode, LlmError } from '@ktrdr/errors';
import { toClaudeError } from './claude-error.mapping.js';
import type { LlmLogger } from './llm.logger.js';
import { costUsd, priceOf, type PriceTable } from './llm.pricing.js';
import type { SpendGuard, SpendReservation, TokenUsage } from './llm.types.js';

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

export interface ForcedToolCall<T> {
  client: Anthropic;
  model: string;
  system: string;
  prompt: string;
  tool: { name: string; description: string; input_schema: Record<string, unknown> };
  /** Checks the tool's input; the errors go back to Claude verbatim in the corrective turn. */
  validate(input: unknown): Validation<T>;
  /** `Claude did not save a strategy configuration` */
  noToolCallMessage: string;
  /** `Claude produced an invalid strategy` (the first errors are appended) */
  invalidMessage: string;
  maxTokens: number;
  /** Corrective turns after an invalid input (0 = fail at once). */
  maxCorrections: number;
  maxInputChars: number;
  /** The client's per-request timeout, for the timeout message. */
  timeoutMs: number;
  prices: PriceTable;
  spend?: SpendGuard | undefined;
  logger?: LlmLogger | undefined;
  /** Logged with every request (e.g. operation_id). */
  context?: Record<string, unknown> | undefined;
  signal: AbortSignal;
}

export interface ForcedToolResult<T> {
  value: T;
  model: string;
  usage: TokenUsage;
  cost_usd: number;
  turns: number;
}

/** Characters per token assumed when estimating a request's cost before it is sent: low, so the estimate errs high. */
const CHARS_PER_TOKEN_ESTIMATE = 3;
const ERRORS_IN_MESSAGE = 3;

/**
 * One forced tool call (`tool_choice: {type: 'tool'}`) with up to `maxCorrections` corrective turns:
 * an input that fails `validate` goes back to Claude as an `is_error` tool_result listing the
 * problems. Each request reserves its worst-case cost on the spend guard first and records its real
 * usage after. Cancellation: `signal` is the SDK's per-request signal, so an abort stops the HTTP
 * request (or the SDK's wait before a retry) at once and the call rejects with CancelledError.
 */
export async function callForcedTool<T>(call: ForcedToolCall<T>): Promise<ForcedToolResult<T>> {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: call.prompt }];
  const usage: TokenUsage = { input_tokens: 0, output_tokens: 0 };
  let model = call.model;
  let lastErrors: string[] = [];
  let turns = 0;

  for (let attempt = 0; attempt <= call.maxCorrections; attempt++) {
    const response = await send(call, messages, attempt + 1);
    turns++;
    model = typeof response.model === 'string' && response.model ? response.model : model;
    usage.input_tokens += inputTokens(response.usage);
    usage.output_tokens += response.usage.output_tokens ?? 0;

    const toolUse = response.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use' && b.name === call.tool.name);
    if (!toolUse) {
      const hitLimit = response.stop_reason === 'max_tokens' ? ` (the reply hit the ${call.maxTokens}-token output limit)` : '';
      throw new LlmError(ErrorCode.LlmNoToolCall, `${call.noToolCallMessage}${hitLimit}`, { stop_reason: response.stop_reason ?? null, model, turns });
    }
    const checked = call.validate(toolUse.input);
    if (checked.ok) return { value: checked.value, model, usage, cost_usd: costUsd(model, usage, call.prices), turns };

    lastErrors = checked.errors;
    call.logger?.info({ ...call.context, tool: call.tool.name, turn: turns, errors: checked.errors.slice(0, 10) }, 'Claude tool input invalid');
    messages.push(
      { role: 'assistant', content: response.content.flatMap(asParam) },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: toolUse.id,
            is_error: true,
            content:
              `The input is invalid:\n${checked.errors.map((e) => `- ${e}`).join('\n')}\n` + `Call ${call.tool.name} again with the complete, corrected input.`,
          },
        ],
      },
    );
  }
  throw new LlmError(ErrorCode.LlmInvalidOutput, `${call.invalidMessage}: ${lastErrors.slice(0, ERRORS_IN_MESSAGE).join('; ')}`, {
    errors: lastErrors,
    model,
    turns,
  });
}

async function send<T>(call: ForcedToolCall<T>, messages: Anthropic.MessageParam[], turn: number): Promise<Anthropic.Message> {
  const { signal } = call;
  if (signal.aborted) throw toClaudeError(null, signal, call.timeoutMs);
  const chars = call.system.length + JSON.stringify(messages).length + JSON.stringify(call.tool).length;
  if (chars > call.maxInputChars) {
    throw new LlmError(ErrorCode.LlmInputTooLarge, `Claude request too large: ${chars} characters (limit ${call.maxInputChars}, KTRDR_LLM_MAX_INPUT_CHARS)`, {
      chars,
      limit: call.maxInputChars,
    });
  }
  const price = priceOf(call.model, call.prices);
  const estimate = ((chars / CHARS_PER_TOKEN_ESTIMATE) * price.input + call.maxTokens * price.output) / 1_000_000;
  const reservation: SpendReservation | null = call.spend ? await call.spend.reserve(estimate) : null;

  const started = Date.now();
  let response: Anthropic.Message;
  try {
    response = await call.client.messages.create(
      {
        model: call.model,
        max_tokens: call.maxTokens,
        system: call.system,
        messages,
        tools: [{ name: call.tool.name, description: call.tool.description, input_schema: call.tool.input_schema as Anthropic.Tool.InputSchema }],
        tool_choice: { type: 'tool', name: call.tool.name },
      },
      { signal },
    );
  } catch (error) {
    // A request that failed (or was aborted) is not billed: free what was held.
    await reservation?.release().catch(() => undefined);
    const mapped = toClaudeError(error, signal, call.timeoutMs);
    if (!(mapped instanceof CancelledError)) {
      call.logger?.warn({ ...call.context, model: call.model, turn, code: mapped.code, error: mapped.message, ...mapped.details }, 'Claude request failed');
    }
    throw mapped;
  }
  const used: TokenUsage = { input_tokens: inputTokens(response.usage), output_tokens: response.usage.output_tokens ?? 0 };
  const model = typeof response.model === 'string' && response.model ? response.model : call.model;
  await reservation?.record(used, costUsd(model, used, call.prices));
  call.logger?.info(
    { ...call.context, model, turn, ...used, stop_reason: response.stop_reason, request_id: requestIdOf(response), ms: Date.now() - started },
    'Claude request done',
  );
  // Billed and recorded; but the caller no longer wants the result.
  if (signal.aborted) throw toClaudeError(null, signal, call.timeoutMs);
  return response;
}

/** Cache writes and reads are input too; pricing them at the input rate errs high, never low. */
function inputTokens(u: Anthropic.Usage): number {
  return (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
}

function requestIdOf(response: Anthropic.Message): string | null {
  const id = (response as { _request_id?: unknown })._request_id;
  return typeof id === 'string' ? id : null;
}

/** The assistant turn as it is sent back: its text and tool calls (other block kinds are not needed). */
function asParam(block: Anthropic.ContentBlock): Anthropic.ContentBlockParam[] {
  if (block.type === 'text') return [{ type: 'text', text: block.text }];
  if (block.type === 'tool_use') return [{ type: 'tool_use', id: block.id, name: block.name, input: block.input }];
  return [];
}
