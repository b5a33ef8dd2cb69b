import type { TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  AuthenticationHandlerOptions,
  Client,
  HTTPMessageHandler,
  ResponseType,
  type GraphRequest,
} from '@microsoft/microsoft-graph-client';
// The package has no `exports` map, so ESM needs the file, not the folder.
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import type { Clock } from '../../ports/clock.js';
import {
  HR_COURIER_KEY_PROPERTY_ID,
  type GraphAnswer,
  type GraphMailer,
  type SendMailRequest,
} from '../../ports/graph.js';
import { AttemptProbe, AttemptProbeHandler, fingerprintToken, recordingCredential } from './attempt-probe.js';
import { startAttemptTimeout, type AttemptTimeout } from './attempt-timeout.js';
import {
  hasAnyValue,
  parseErrorCodes,
  parseThrottleReason,
  readBodyText,
  readTrace,
} from './graph-response.js';
import { classifyNetworkError } from './network-error.js';

export interface GraphMailerOptions {
  /** From `parseGraphBaseUrl`: `https://<host>`. */
  baseUrl: string;
  /** From `parseGraphBaseUrl`: the token scope of that cloud. */
  scope: string;
  /** From `parseGraphBaseUrl`: extra hostnames that get the token (dev-mode loopback only). */
  customHosts: string[];
  credential: TokenCredential;
  clock: Clock;
  /** Timeout of a `findByKey` look-up; default 30 s. */
  lookupTimeoutMs?: number;
}

const DEFAULT_LOOKUP_TIMEOUT_MS = 30_000;

/** OData string literals double their single quotes. */
export function escapeODataString(value: string): string {
  return value.replaceAll("'", "''");
}

/** The `$filter` that finds a message by its HrCourierKey extended property. */
export function keyFilter(key: string): string {
  return (
    `singleValueExtendedProperties/Any(ep: ep/id eq '${escapeODataString(HR_COURIER_KEY_PROPERTY_ID)}'` +
    ` and ep/value eq '${escapeODataString(key)}')`
  );
}

interface Attempt {
  probe: AttemptProbe;
  timeout: AttemptTimeout;
  startedAt: number;
  clientRequestId: string;
}

/**
 * The Graph mail port over the real Graph client. The middleware chain is assembled by hand:
 * authentication → probe → fetch, with no RetryHandler (it would resend a sendMail POST on
 * 429/503/504 and duplicate mail) and no RedirectHandler (a POST is never re-sent elsewhere).
 * Every answer is returned, never thrown; retry decisions belong to the core.
 */
export function createGraphMailer(options: GraphMailerOptions): GraphMailer {
  const { credential, clock, scope } = options;
  const lookupTimeoutMs = options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  const authentication = new AuthenticationHandler(
    new TokenCredentialAuthenticationProvider(credential, { scopes: [scope] }),
  );
  const probeHandler = new AttemptProbeHandler();
  const client = Client.initWithMiddleware({
    baseUrl: options.baseUrl,
    defaultVersion: 'v1.0',
    customHosts: new Set(options.customHosts),
    middleware: [authentication, probeHandler, new HTTPMessageHandler()],
  });

  function begin(clientRequestId: string, timeoutMs: number): Attempt {
    return {
      probe: new AttemptProbe(),
      timeout: startAttemptTimeout(clock, timeoutMs),
      startedAt: clock.now(),
      clientRequestId,
    };
  }

  /** Options shared by every request: our id, the per-request token recorder, no redirects. */
  function prepare(request: GraphRequest, attempt: Attempt): GraphRequest {
    const provider = new TokenCredentialAuthenticationProvider(
      recordingCredential(credential, attempt.probe),
      {
        scopes: [scope],
        // Token acquisition counts against the same timeout: a hung identity endpoint must not hang us.
        getTokenOptions: { abortSignal: attempt.timeout.signal },
      },
    );
    return request
      .header('client-request-id', attempt.clientRequestId)
      .option('signal', attempt.timeout.signal)
      .option('redirect', 'manual')
      .middlewareOptions([new AuthenticationHandlerOptions(provider), attempt.probe])
      .responseType(ResponseType.RAW);
  }

  async function tokenChangedSince(attempt: Attempt): Promise<boolean> {
    // No token was sent (not a Graph host): a new one would not be sent either.
    if (attempt.probe.tokenFingerprint === undefined) return false;
    try {
      const token = await attempt.timeout.race(
        credential.getToken([scope], { abortSignal: attempt.timeout.signal }),
      );
      return token !== null && fingerprintToken(token.token) !== attempt.probe.tokenFingerprint;
    } catch {
      return false;
    }
  }

  async function answerFromResponse(
    response: Response,
    attempt: Attempt,
  ): Promise<{ answer: GraphAnswer; text: string | undefined }> {
    const trace = readTrace(response.headers);
    const text = await readBodyText(response);
    const codes = response.status >= 300 ? parseErrorCodes(text) : {};
    const answer: GraphAnswer = {
      kind: 'response',
      status: response.status,
      ...codes,
      // The id we generated is the one the ledger indexes; Graph echoes it back.
      clientRequestId: attempt.clientRequestId,
      ...(trace.requestId === undefined ? {} : { requestId: trace.requestId }),
      ...(trace.date === undefined ? {} : { date: trace.date }),
      ...(trace.diagnostic === undefined ? {} : { diagnostic: trace.diagnostic }),
      ...(trace.retryAfter === undefined ? {} : { retryAfter: trace.retryAfter }),
      durationMs: 0,
    };
    if (response.status === 429) {
      const throttleReason = parseThrottleReason(text);
      if (throttleReason !== undefined) answer.throttleReason = throttleReason;
    }
    if (response.status === 401) answer.tokenChanged = await tokenChangedSince(attempt);
    answer.durationMs = clock.now() - attempt.startedAt;
    return { answer, text };
  }

  function answerFromFailure(error: unknown, attempt: Attempt): GraphAnswer {
    const { probe } = attempt;
    const durationMs = clock.now() - attempt.startedAt;
    const base = { kind: 'network' as const, clientRequestId: attempt.clientRequestId, durationMs };
    if (!probe.dispatched) {
      // Nothing was handed to fetch: provably not sent, whatever went wrong. Should the token arrive
      // after a timeout, fetch gets an aborted signal and sends nothing then either.
      const tokenMissing = probe.tokenRequested && probe.tokenFingerprint === undefined;
      const errorCode = tokenMissing
        ? 'TokenAcquisition'
        : attempt.timeout.expired()
          ? 'ETIMEDOUT'
          : 'Client';
      return { ...base, phase: 'before-send', errorCode };
    }
    const failure = classifyNetworkError(probe.transportError ?? error);
    // Our own timeout reads as ETIMEDOUT; the signal's DOMException name says nothing more useful.
    if (attempt.timeout.expired() && failure.phase === 'after-send') {
      return { ...base, phase: 'after-send', errorCode: 'ETIMEDOUT' };
    }
    return { ...base, ...failure };
  }

  return {
    async sendMail(request: SendMailRequest): Promise<GraphAnswer> {
      const attempt = begin(request.clientRequestId, request.timeoutMs);
      try {
        const graphRequest = prepare(
          client.api(`/users/${encodeURIComponent(request.sender)}/sendMail`),
          attempt,
        );
        // RAW: a 202 with an empty body (even labelled application/json) must not be parsed.
        const response = (await attempt.timeout.race(
          graphRequest.post({ message: request.message, saveToSentItems: request.saveToSentItems }),
        )) as Response;
        return (await answerFromResponse(response, attempt)).answer;
      } catch (error) {
        return answerFromFailure(error, attempt);
      } finally {
        attempt.timeout.stop();
      }
    },

    async findByKey(sender: string, key: string, clientRequestId: string) {
      const attempt = begin(clientRequestId, lookupTimeoutMs);
      try {
        const graphRequest = prepare(
          client
            .api(`/users/${encodeURIComponent(sender)}/messages`)
            // The Graph client does not encode query values; a key may hold characters that would.
            .filter(encodeURIComponent(keyFilter(key)))
            .select('id')
            .top(1),
          attempt,
        );
        const response = (await attempt.timeout.race(graphRequest.get())) as Response;
        const { answer, text } = await answerFromResponse(response, attempt);
        return { found: response.status === 200 && hasAnyValue(text), answer };
      } catch (error) {
        return { found: false, answer: answerFromFailure(error, attempt) };
      } finally {
        attempt.timeout.stop();
      }
    },
  };
}
