import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

/**
 * `managed-identity` (the default): the Function's own identity, never a person.
 * `default`: `DefaultAzureCredential`, for developers signed in with the Azure CLI or similar;
 * chosen with `HR_COURIER_CREDENTIAL=default`.
 */
export type GraphCredentialKind = 'managed-identity' | 'default';

export interface GraphCredentialOptions {
  kind: GraphCredentialKind;
  /** Client id of a user-assigned managed identity (`AZURE_CLIENT_ID`); absent = system-assigned. */
  clientId?: string;
}

/** The setting that selects the credential kind. */
export const CREDENTIAL_SETTING = 'HR_COURIER_CREDENTIAL';

export function createGraphCredential(options: GraphCredentialOptions): TokenCredential {
  const clientId = options.clientId === '' ? undefined : options.clientId;
  if (options.kind === 'default') {
    return new DefaultAzureCredential(clientId === undefined ? {} : { managedIdentityClientId: clientId });
  }
  // ManagedIdentityCredential does not read AZURE_CLIENT_ID by itself: without the client id a
  // Function with only a user-assigned identity would ask for a system-assigned one and fail.
  return clientId === undefined
    ? new ManagedIdentityCredential()
    : new ManagedIdentityCredential({ clientId });
}

/**
 * Reads `HR_COURIER_CREDENTIAL` (unset, `managed-identity` or `default`) and `AZURE_CLIENT_ID`.
 * Throws one line naming the setting when the kind is not one of those.
 */
export function graphCredentialOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): GraphCredentialOptions {
  const raw = env[CREDENTIAL_SETTING];
  let kind: GraphCredentialKind;
  if (raw === undefined || raw === '' || raw === 'managed-identity') {
    kind = 'managed-identity';
  } else if (raw === 'default') {
    kind = 'default';
  } else {
    throw new Error(`${CREDENTIAL_SETTING} must be "managed-identity" (the default) or "default"`);
  }
  const clientId = env.AZURE_CLIENT_ID;
  return clientId === undefined || clientId === '' ? { kind } : { kind, clientId };
}
