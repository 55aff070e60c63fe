/**
 * A small typed client for the ktrdr REST API (`/api/v1`) on Node's global fetch.
 *
 * Every method returns a validated, typed value or throws ApiError. Refusals that the agent routes
 * document as outcomes clients script against (trigger 409/429, cancel 404 `no_active_cycle`) are
 * returned as values, not thrown, so commands can render them and --json can print them.
 */
import type { z } from 'zod';
import { ApiError, ClientErrorCode } from './api.error.js';
import { apiTokenFromEnv, cliConfigPath, readCliConfig } from './cli.config.js';
import { configProblemsText } from '@ktrdr/errors';
import {
  AgentStatusSchema,
  CampaignCancelledSchema,
  CampaignEnvelopeSchema,
  CampaignListSchema,
  CampaignStartedSchema,
  LeaderboardSchema,
  TrialListSchema,
  BudgetSchema,
  ArtifactEnvelopeSchema,
  ArtifactListEnvelopeSchema,
  CancelOperationEnvelopeSchema,
  CycleCancelledSchema,
  DataImportEnvelopeSchema,
  DataListSchema,
  HealthSchema,
  AnyErrorBodySchema,
  NoActiveCycleSchema,
  ResumeStartedSchema,
  OperationChildrenSchema,
  OperationEnvelopeSchema,
  OperationListSchema,
  StrategyEnvelopeSchema,
  StrategyImportEnvelopeSchema,
  StrategyListSchema,
  StrategySourceEnvelopeSchema,
  TriggerRefusedSchema,
  TriggerStartedSchema,
  type AgentStatus,
  type BudgetInfo,
  type CampaignRequest,
  type CampaignStarted,
  type CampaignView,
  type ArtifactList,
  type CancelCycleResult,
  type CancelOperationResult,
  type DataImportResult,
  type DataSetInfo,
  type Health,
  type OperationInfo,
  type OperationList,
  type StrategyConfigWire,
  type StrategyImportResult,
  type StrategySource,
  type StrategySummary,
  type TriggerResult,
  type ResumeStarted,
  type TriggerRefused,
} from '@ktrdr/api-contract';

export const DEFAULT_API_URL = 'http://localhost:8000';
const API_PREFIX = '/api/v1';
const DEFAULT_TIMEOUT_MS = 30_000;

export interface TriggerRequest {
  model?: string;
  brief?: string;
  strategy?: string;
  bypass_gates?: boolean;
}

/** The campaign routes' answers, as the contract describes them. */
export type CampaignList = z.output<typeof CampaignListSchema>;
export type CampaignTrials = z.output<typeof TrialListSchema>;
export type CampaignLeaderboard = z.output<typeof LeaderboardSchema>;
export type CampaignCancelled = z.output<typeof CampaignCancelledSchema>;

export interface CampaignListQuery {
  status?: string;
  limit?: number;
  offset?: number;
}

export interface ListQuery {
  status?: string;
  operation_type?: string;
  limit?: number;
  offset?: number;
  active_only?: boolean;
}

export interface ApiClientOptions {
  baseUrl?: string;
  timeoutMs?: number;
  /** Bearer token; default `KTRDR_API_TOKEN` or the config file's `api_token` (null: send none). */
  token?: string | null;
}

/** An opened event stream, or the API's refusal to stream (older API, proxy, unknown operation…). */
export type EventStreamOpening =
  { kind: 'stream'; body: ReadableStream<Uint8Array>; close: () => void } | { kind: 'refused'; status: number; contentType: string | null };

interface RawResponse {
  status: number;
  body: unknown;
}

interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
}

/** Resolves the API base URL: `KTRDR_API_URL`, else the config file's `api_url`, else http://localhost:8000. */
export function apiUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env['KTRDR_API_URL']?.trim() || readCliConfig(env).api_url;
  return (raw ? raw : DEFAULT_API_URL).replace(/\/+$/, '');
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly token: string | null;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? apiUrlFromEnv()).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.token = options.token === undefined ? apiTokenFromEnv() : options.token;
  }

  // ---- health ---------------------------------------------------------------------------------

  /**
   * GET /health. A 503 whose body is the health answer (`status: unhealthy`, Redis unreachable) is
   * returned as a value, not thrown: it is the outcome the command reports.
   */
  async health(): Promise<Health> {
    const res = await this.request('GET', '/health');
    if (res.status === 200 || (res.status === 503 && HealthSchema.safeParse(res.body).success)) return this.parse(HealthSchema, res);
    throw this.errorFrom(res);
  }

  // ---- agent ----------------------------------------------------------------------------------

  async triggerCycle(request: TriggerRequest): Promise<TriggerResult> {
    const res = await this.request('POST', '/agent/trigger', { body: request });
    if (res.status === 200 || res.status === 201 || res.status === 202) {
      return this.parse(TriggerStartedSchema, res);
    }
    if ((res.status === 409 || res.status === 429) && isRecord(res.body) && res.body['triggered'] === false) {
      return this.parse(TriggerRefusedSchema, res);
    }
    throw this.errorFrom(res);
  }

  /**
   * Resumes a failed or cancelled cycle as a new one. The refusals a client scripts against
   * (409 not_resumable / active_cycle_exists / at_capacity, 429 budget_exhausted) are returned as values;
   * 404 and 422 (bad from_phase) throw like any other error.
   */
  async resumeCycle(operationId: string, fromPhase?: string): Promise<ResumeStarted | TriggerRefused> {
    const res = await this.request('POST', `/agent/resume/${encodeURIComponent(operationId)}`, {
      body: fromPhase === undefined ? undefined : { from_phase: fromPhase },
    });
    if (res.status === 202 || res.status === 200 || res.status === 201) return this.parse(ResumeStartedSchema, res);
    if ((res.status === 409 || res.status === 429) && isRecord(res.body) && res.body['triggered'] === false) {
      return this.parse(TriggerRefusedSchema, res);
    }
    throw this.errorFrom(res);
  }

  async agentStatus(): Promise<AgentStatus> {
    const res = await this.request('GET', '/agent/status');
    if (res.status !== 200) throw this.errorFrom(res);
    return this.parse(AgentStatusSchema, res);
  }

  async agentBudget(): Promise<BudgetInfo> {
    const res = await this.request('GET', '/agent/budget');
    if (res.status !== 200) throw this.errorFrom(res);
    return this.parse(BudgetSchema, res);
  }

  /** Cancels the oldest active cycle, or the one named. A 404 `no_active_cycle` is an outcome, not an error. */
  async cancelCycle(operationId?: string, signal?: AbortSignal): Promise<CancelCycleResult> {
    const path = operationId ? `/agent/cancel/${encodeURIComponent(operationId)}` : '/agent/cancel';
    const res = await this.request('DELETE', path, { signal });
    if (res.status === 200) return this.parse(CycleCancelledSchema, res);
    if (res.status === 404 && isRecord(res.body) && res.body['reason'] === 'no_active_cycle') {
      return this.parse(NoActiveCycleSchema, res);
    }
    throw this.errorFrom(res);
  }

  // ---- campaigns ------------------------------------------------------------------------------
  // Every refusal (404 not_found, 422 not_campaign, 409 not_cancellable / not_resumable / holdout_used)
  // throws an ApiError whose code is the envelope's `details.reason`, the name clients script against.

  async startCampaign(request: CampaignRequest): Promise<CampaignStarted> {
    const res = await this.request('POST', '/agent/campaigns', { body: request });
    if (res.status !== 202 && res.status !== 200 && res.status !== 201) throw campaignErrorFrom(res.status, res.body);
    return this.parse(CampaignStartedSchema, res);
  }

  async listCampaigns(query: CampaignListQuery = {}): Promise<CampaignList> {
    const res = await this.request('GET', '/agent/campaigns', { query: { status: query.status, limit: query.limit, offset: query.offset } });
    if (res.status !== 200) throw campaignErrorFrom(res.status, res.body);
    return this.parse(CampaignListSchema, res);
  }

  async getCampaign(operationId: string, signal?: AbortSignal): Promise<CampaignView> {
    const res = await this.request('GET', `/agent/campaigns/${encodeURIComponent(operationId)}`, { signal });
    if (res.status !== 200) throw campaignErrorFrom(res.status, res.body);
    return this.parse(CampaignEnvelopeSchema, res).data;
  }

  /** Every trial of the campaign's ledger (a resumed campaign shares the ledger of the one it resumed). */
  async campaignTrials(operationId: string, signal?: AbortSignal): Promise<CampaignTrials> {
    const res = await this.request('GET', `/agent/campaigns/${encodeURIComponent(operationId)}/trials`, { signal });
    if (res.status !== 200) throw campaignErrorFrom(res.status, res.body);
    return this.parse(TrialListSchema, res);
  }

  async campaignLeaderboard(operationId: string): Promise<CampaignLeaderboard> {
    const res = await this.request('GET', `/agent/campaigns/${encodeURIComponent(operationId)}/leaderboard`);
    if (res.status !== 200) throw campaignErrorFrom(res.status, res.body);
    return this.parse(LeaderboardSchema, res);
  }

  /** Cancels the campaign with its running cycles, their children and folds (all cancelled when it returns). */
  async cancelCampaign(operationId: string, signal?: AbortSignal): Promise<CampaignCancelled> {
    const res = await this.request('DELETE', `/agent/campaigns/${encodeURIComponent(operationId)}`, { signal });
    if (res.status !== 200) throw campaignErrorFrom(res.status, res.body);
    return this.parse(CampaignCancelledSchema, res);
  }

  /** A new campaign on the cancelled or failed one's ledger and holdout. */
  async resumeCampaign(operationId: string): Promise<CampaignStarted> {
    const res = await this.request('POST', `/agent/campaigns/${encodeURIComponent(operationId)}/resume`);
    if (res.status !== 202 && res.status !== 200 && res.status !== 201) throw campaignErrorFrom(res.status, res.body);
    return this.parse(CampaignStartedSchema, res);
  }

  // ---- operations -----------------------------------------------------------------------------

  async listOperations(query: ListQuery = {}): Promise<OperationList> {
    const res = await this.request('GET', '/operations', {
      query: {
        status: query.status,
        operation_type: query.operation_type,
        limit: query.limit,
        offset: query.offset,
        active_only: query.active_only ? true : undefined,
      },
    });
    if (res.status !== 200) throw this.errorFrom(res);
    return this.parse(OperationListSchema, res);
  }

  async getOperation(operationId: string, signal?: AbortSignal): Promise<OperationInfo> {
    const res = await this.request('GET', `/operations/${encodeURIComponent(operationId)}`, { signal });
    if (res.status !== 200) throw this.errorFrom(res);
    return this.parse(OperationEnvelopeSchema, res).data;
  }

  /** The operation's children, oldest first (a research cycle's phases); 404 for an unknown id. */
  async listChildren(operationId: string): Promise<OperationInfo[]> {
    const res = await this.request('GET', `/operations/${encodeURIComponent(operationId)}/children`);
    if (res.status !== 200) throw this.errorFrom(res);
    return this.parse(OperationChildrenSchema, res).data;
  }

  async cancelOperation(operationId: string, reason?: string, signal?: AbortSignal): Promise<CancelOperationResult> {
    const res = await this.request('DELETE', `/operations/${encodeURIComponent(operationId)}`, {
      body: reason === undefined ? undefined : { reason },
      signal,
    });
    if (res.status !== 200) throw this.errorFrom(res);
    return this.parse(CancelOperationEnvelopeSchema, res).data;
  }

  // ---- market data and strategies -------------------------------------------------------------

  async listData(): Promise<DataSetInfo[]> {
    const res = await this.request('GET', '/data');
    if (res.status !== 200) throw this.errorFrom(res);
    return this.parse(DataListSchema, res).data;
  }

  /** Uploads CSV text; a 422 CSV_INVALID arrives as an ApiError whose details hold `problems` by line. */
  async importData(request: { symbol: string; timeframe: string; csv: string }): Promise<DataImportResult> {
    const res = await this.request('POST', '/data/import', { body: request });
    if (res.status !== 201 && res.status !== 200) throw this.errorFrom(res);
    return this.parse(DataImportEnvelopeSchema, res).data;
  }

  async listStrategies(): Promise<StrategySummary[]> {
    const res = await this.request('GET', '/strategies');
    if (res.status !== 200) throw this.errorFrom(res);
    return this.parse(StrategyListSchema, res).data;
  }

  async getStrategy(name: string): Promise<StrategyConfigWire> {
    const res = await this.request('GET', `/strategies/${encodeURIComponent(name)}`);
    if (res.status !== 200) throw this.errorFrom(res);
    return this.parse(StrategyEnvelopeSchema, res).data;
  }

  /** Imports a strategy file's text under its own name: 201 stored, 200 already stored with the same text; 409/422 arrive as ApiErrors. */
  async importStrategy(yaml: string): Promise<StrategyImportResult> {
    const res = await this.request('POST', '/strategies', { body: { yaml } });
    if (res.status !== 201 && res.status !== 200) throw this.errorFrom(res);
    return this.parse(StrategyImportEnvelopeSchema, res).data;
  }

  /** A strategy's stored text (for an export), invalid ones included. */
  async getStrategySource(name: string): Promise<StrategySource> {
    const res = await this.request('GET', `/strategies/${encodeURIComponent(name)}/yaml`);
    if (res.status !== 200) throw this.errorFrom(res);
    return this.parse(StrategySourceEnvelopeSchema, res).data;
  }

  // ---- artifacts and live events -------------------------------------------------------------

  async listArtifacts(operationId: string): Promise<ArtifactList> {
    const res = await this.request('GET', `/operations/${encodeURIComponent(operationId)}/artifacts`);
    if (res.status !== 200) throw this.errorFrom(res);
    return this.parse(ArtifactListEnvelopeSchema, res).data;
  }

  async getArtifact(operationId: string, name: string): Promise<unknown> {
    const res = await this.request('GET', `/operations/${encodeURIComponent(operationId)}/artifacts/${encodeURIComponent(name)}`);
    if (res.status !== 200) throw this.errorFrom(res);
    return this.parse(ArtifactEnvelopeSchema, res).data;
  }

  /**
   * Opens GET /operations/{id}/events. The timeout covers only the wait for the response headers:
   * the stream itself is long-lived (its reader watches the heartbeats instead). Anything but a
   * 200 `text/event-stream` is a refusal the caller may answer by polling.
   */
  async openEventStream(operationId: string, signal: AbortSignal): Promise<EventStreamOpening> {
    const url = this.url(`/operations/${encodeURIComponent(operationId)}/events`);
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const close = (): void => {
      signal.removeEventListener('abort', onAbort);
      controller.abort();
    };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, { headers: this.headers('text/event-stream'), signal: controller.signal });
    } catch (error) {
      close();
      if (signal.aborted) throw new ApiError(ClientErrorCode.Aborted, null, 'request aborted');
      if (timedOut) {
        throw new ApiError(ClientErrorCode.Timeout, null, `the ktrdr API at ${this.baseUrl} did not answer within ${Math.round(this.timeoutMs / 1000)}s`);
      }
      const reason = networkReason(error);
      throw new ApiError(ClientErrorCode.Unreachable, null, unreachableMessage(this.baseUrl, reason), { reason });
    } finally {
      clearTimeout(timer);
    }
    const contentType = response.headers.get('content-type');
    if (response.status !== 200 || !response.body || !/^text\/event-stream\b/i.test(contentType ?? '')) {
      await response.body?.cancel().catch(() => undefined);
      close();
      return { kind: 'refused', status: response.status, contentType };
    }
    return { kind: 'stream', body: response.body, close };
  }

  // ---- transport ------------------------------------------------------------------------------

  private url(path: string): URL {
    try {
      return new URL(`${this.baseUrl}${API_PREFIX}${path}`);
    } catch {
      // Worded as every ktrdr process words a bad setting (libs/errors config.report).
      const variable = process.env['KTRDR_API_URL']?.trim() ? 'KTRDR_API_URL' : `api_url in ${cliConfigPath()}`;
      throw new ApiError(
        ClientErrorCode.BadConfig,
        null,
        configProblemsText([{ variable, message: `expected a URL (e.g. ${DEFAULT_API_URL})`, value: this.baseUrl }]),
      );
    }
  }

  /** Request headers shared by every call (one place for anything each request must carry). */
  private headers(accept: string, body = false): Record<string, string> {
    const headers: Record<string, string> = { accept };
    if (body) headers['content-type'] = 'application/json';
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    return headers;
  }

  private async request(method: string, path: string, options: RequestOptions = {}): Promise<RawResponse> {
    const url = this.url(path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }

    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers = this.headers('application/json', options.body !== undefined);

    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw new ApiError(ClientErrorCode.Aborted, null, 'request aborted');
      if (timeout.aborted) {
        throw new ApiError(ClientErrorCode.Timeout, null, `the ktrdr API at ${this.baseUrl} did not answer within ${Math.round(this.timeoutMs / 1000)}s`);
      }
      const reason = networkReason(error);
      throw new ApiError(ClientErrorCode.Unreachable, null, unreachableMessage(this.baseUrl, reason), { reason });
    }

    if (text.trim() === '') return { status: response.status, body: null };
    try {
      return { status: response.status, body: JSON.parse(text) as unknown };
    } catch {
      throw new ApiError(
        ClientErrorCode.BadResponse,
        response.status,
        `unexpected non-JSON response from ${method} ${url.pathname} (HTTP ${response.status})`,
        text.slice(0, 500),
      );
    }
  }

  private parse<S extends z.ZodType>(schema: S, res: RawResponse): z.output<S> {
    const parsed = schema.safeParse(res.body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new ApiError(
      ClientErrorCode.BadResponse,
      res.status,
      `unexpected response from the ktrdr API (HTTP ${res.status}): ${issue?.message ?? 'invalid shape'}${where}`,
      res.body,
    );
  }

  /** Turns a non-success response into an ApiError carrying the envelope's code and message. */
  private errorFrom(res: RawResponse): ApiError {
    return errorFromBody(res.status, res.body);
  }
}

/** Builds an ApiError from an error response body: the error envelope, or the agent routes' top-level reason/message. */
export function errorFromBody(status: number, body: unknown): ApiError {
  const parsed = AnyErrorBodySchema.safeParse(body);
  if (parsed.success) {
    const { error, reason, message } = parsed.data;
    // The agent routes' documented `reason` (lowercase, scripted against) wins over the envelope code.
    const code = reason ?? error?.code ?? `http_${status}`;
    const text = error?.message ?? message;
    if (text) return new ApiError(code, status, text, error?.details);
  }
  return new ApiError(`http_${status}`, status, `the ktrdr API answered HTTP ${status}`, body ?? undefined);
}

/**
 * A campaign route's refusal: the envelope's code is the generic one (`OPERATION_FINISHED`), its
 * `details.reason` the campaign's own (`not_cancellable`), which becomes the error's code.
 */
export function campaignErrorFrom(status: number, body: unknown): ApiError {
  const error = errorFromBody(status, body);
  const reason = isRecord(error.details) ? error.details['reason'] : undefined;
  return typeof reason === 'string' && reason !== '' ? new ApiError(reason, error.status, error.message, error.details) : error;
}

export function unreachableMessage(baseUrl: string, reason: string): string {
  return `cannot reach the ktrdr API at ${baseUrl} (${reason}). Is it running? Start it with: npm start`;
}

/** A short human reason for a fetch failure ("connection refused", "host not found", …). */
export function networkReason(error: unknown): string {
  const code = errorCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection closed by the server';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'EADDRNOTAVAIL':
      return 'address not available';
    case undefined:
      return innermostMessage(error) ?? 'network error';
    default:
      return code;
  }
}

/** fetch wraps the real failure ("bad port", …) in `TypeError: fetch failed`; the innermost cause says more. */
function innermostMessage(error: unknown, depth = 0): string | undefined {
  if (!(error instanceof Error) || depth > 4) return undefined;
  return innermostMessage(error.cause, depth + 1) ?? (error.message || undefined);
}

function errorCode(error: unknown, depth = 0): string | undefined {
  if (!isRecord(error) || depth > 4) return undefined;
  if (typeof error['code'] === 'string' && error['code'] !== '') return error['code'];
  const fromCause = errorCode(error['cause'], depth + 1);
  if (fromCause) return fromCause;
  // Happy-eyeballs connects to several addresses and reports an AggregateError.
  const errors = error['errors'];
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const c = errorCode(inner, depth + 1);
      if (c) return c;
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}
