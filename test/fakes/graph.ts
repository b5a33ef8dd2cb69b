import type { GraphAnswer, GraphMailer, SendMailRequest } from '../../src/ports/graph.js';

export type ScriptedAnswer =
  | {
      status: number;
      code?: string;
      retryAfter?: string;
      throttleReason?: string;
      tokenChanged?: boolean;
      /** The mail went out although the answer says otherwise (a 504 after acceptance). */
      accepted?: boolean;
    }
  | { network: 'before-send' | 'after-send'; errorCode?: string; accepted?: boolean };

/**
 * A Graph mailer that answers from a script (then 202 forever) and records every request, so unit tests
 * can count Graph calls. The contract tests prove the real adapter against the simulator.
 */
export function createScriptedMailer(script: ScriptedAnswer[] = []): GraphMailer & {
  requests: SendMailRequest[];
  sentKeys: string[];
} {
  const queue = [...script];
  const requests: SendMailRequest[] = [];
  const sentKeys: string[] = [];
  let n = 0;
  return {
    requests,
    sentKeys,
    sendMail(request) {
      requests.push(request);
      const next = queue.shift() ?? { status: 202 };
      n++;
      const base = { clientRequestId: request.clientRequestId, durationMs: 5 };
      let answer: GraphAnswer;
      if ('network' in next) {
        answer = { kind: 'network', phase: next.network, errorCode: next.errorCode ?? 'ECONNRESET', ...base };
      } else {
        answer = {
          kind: 'response',
          status: next.status,
          requestId: `req-${n}`,
          date: new Date(Date.parse('2026-11-25T10:00:00Z') + n * 1000).toUTCString(),
          diagnostic: '{"ServerInfo":{"DataCenter":"Fake"}}',
          ...base,
        };
        if (next.code !== undefined) answer.code = next.code;
        if (next.retryAfter !== undefined) answer.retryAfter = next.retryAfter;
        if (next.throttleReason !== undefined) answer.throttleReason = next.throttleReason;
        if (next.tokenChanged !== undefined) answer.tokenChanged = next.tokenChanged;
      }
      if ((answer.kind === 'response' && answer.status === 202) || next.accepted === true) {
        const key = request.message.singleValueExtendedProperties?.[0]?.value;
        if (key !== undefined) sentKeys.push(key);
      }
      return Promise.resolve(answer);
    },
    findByKey(_sender, key, clientRequestId) {
      return Promise.resolve({
        found: sentKeys.includes(key),
        answer: { kind: 'response', status: 200, clientRequestId, durationMs: 1 },
      });
    },
  };
}
