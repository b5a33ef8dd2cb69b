/**
 * Stable failure and outcome codes. Users see these exact strings in the ledger, the poison
 * reasons, telemetry and the CLI, so they never change meaning once released.
 */
export const FailureCode = {
  // The message itself
  InvalidJson: 'InvalidJson',
  InvalidMessage: 'InvalidMessage',
  MessageTooLarge: 'MessageTooLarge',
  KeyConflict: 'KeyConflict',
  // Policy and content
  PolicyDenied: 'PolicyDenied',
  UnknownTemplate: 'UnknownTemplate',
  UnknownTemplateVersion: 'UnknownTemplateVersion',
  MissingTemplateField: 'MissingTemplateField',
  InvalidTemplateData: 'InvalidTemplateData',
  UnsafeUrl: 'UnsafeUrl',
  AttachmentNotFound: 'AttachmentNotFound',
  AttachmentTooLarge: 'AttachmentTooLarge',
  AttachmentInvalid: 'AttachmentInvalid',
  // Graph answers
  GraphBadRequest: 'GraphBadRequest',
  SenderNotFound: 'SenderNotFound',
  TooLarge: 'TooLarge',
  GraphRejected: 'GraphRejected',
  Throttled: 'Throttled',
  Transient: 'Transient',
  UnknownOutcome: 'UnknownOutcome',
  AcquireTokenFailed: 'AcquireTokenFailed',
  // Lifecycle
  RetriesExhausted: 'RetriesExhausted',
  Expired: 'Expired',
} as const;

export type FailureCode = (typeof FailureCode)[keyof typeof FailureCode];
