/** Zoho's request-level and record-level error envelope: {code, details, message, status:"error"}. */
export interface ZohoError {
  code: string;
  details: Record<string, unknown>;
  message: string;
  status: 'error';
}

export function zohoError(code: string, message: string, details: Record<string, unknown> = {}): ZohoError {
  return { code, details, message, status: 'error' };
}

export const CRM_ERRORS = {
  authenticationFailure: () => zohoError('AUTHENTICATION_FAILURE', 'Authentication failed'),
  invalidToken: () => zohoError('INVALID_TOKEN', 'invalid oauth token'),
  scopeMismatch: () => zohoError('OAUTH_SCOPE_MISMATCH', 'invalid oauth scope to access this URL'),
  invalidUrl: () => zohoError('INVALID_URL_PATTERN', 'Please check if the URL trying to access is a correct one'),
  invalidModule: () =>
    zohoError('INVALID_MODULE', 'the module name given seems to be invalid', { resource_path_index: 0 }),
  invalidMethod: () => zohoError('INVALID_REQUEST_METHOD', 'The http request method type is not a valid one'),
  bodyNotJson: () => zohoError('INVALID_DATA', 'body', { expected_data_type: 'jsonobject' }),
  internal: () => zohoError('INTERNAL_ERROR', 'Internal Server Error'),
  tooManyRequests: () =>
    zohoError(
      'TOO_MANY_REQUESTS',
      'Number of API requests for the 24 hour period is exceeded or the concurrency limit of the user for the app is exceeded',
    ),
  noPermission: () => zohoError('NO_PERMISSION', 'permission denied', { permissions: ['Crm_Implied_Api_Access'] }),
  limitExceeded: (maximum: number) =>
    zohoError('LIMIT_EXCEEDED', 'count of records in your request exceeds the limit', {
      maximum_length: maximum,
      api_name: 'data',
    }),
} as const;

/**
 * Request-level errors that v8 answers inside a `data` array (its OpenAPI examples for insert,
 * update and upsert show them so), where older versions send the bare error object. Auth, scope,
 * permission, URL and 5xx errors stay bare in every version.
 */
const WRAPPED_IN_V8: ReadonlySet<string> = new Set([
  'LIMIT_EXCEEDED',
  'INVALID_MODULE',
  'INVALID_REQUEST_METHOD',
  'AUTHORIZATION_FAILED',
]);

export function requestErrorBody(version: string, error: ZohoError): ZohoError | { data: ZohoError[] } {
  return version === 'v8' && WRAPPED_IN_V8.has(error.code) ? { data: [error] } : error;
}

/** The body Zoho sends for a given status when a test injects a fault without its own body. */
export function defaultFaultBody(status: number): ZohoError | string {
  switch (status) {
    case 400:
      return zohoError('INVALID_DATA', 'invalid data');
    case 401:
      return CRM_ERRORS.invalidToken();
    case 403:
      return CRM_ERRORS.noPermission();
    case 404:
      return CRM_ERRORS.invalidUrl();
    case 429:
      return CRM_ERRORS.tooManyRequests();
    case 500:
      return CRM_ERRORS.internal();
    default:
      // A load balancer in front of Zoho answers 502/503/504 with HTML, not Zoho JSON.
      return `<html><body><h1>${status}</h1></body></html>`;
  }
}

export const TOKEN_ERRORS = {
  invalidCode: { error: 'invalid_code' },
  invalidClient: { error: 'invalid_client' },
  invalidClientSecret: { error: 'invalid_client_secret' },
  invalidRedirectUri: { error: 'invalid_redirect_uri' },
  unsupportedGrantType: { error: 'unsupported_grant_type' },
  accessDenied: {
    error_description: 'You have made too many requests continuously. Please try again after some time.',
    error: 'Access Denied',
    status: 'failure',
  },
} as const;
