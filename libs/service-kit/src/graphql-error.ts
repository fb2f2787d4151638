import type { ApiErrorBody } from './api-error';

/** The `extensions` a GraphQL error made from an API error carries. */
export interface ApiGraphqlExtensions {
  /** The usual GraphQL code (Apollo's names), for clients that branch on it. */
  code: string;
  /** The API's own error code, as in the HTTP body's `error`. */
  error: string;
  /** Fields that failed validation, as in the HTTP body. */
  fields?: unknown;
}

const GRAPHQL_CODES: Readonly<Record<number, string>> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'BAD_USER_INPUT',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * An error a resolver hands back to the GraphQL driver in place of an HTTP answer: graphql-js
 * copies `extensions` into the `GraphQLError` it reports in `errors[]`, on Apollo and Mercurius
 * alike, so the service needs nothing from `graphql`. The message is the HTTP body's message,
 * which for a 5xx is the generic one (the details are only logged).
 */
export class ApiGraphqlError extends Error {
  readonly extensions: ApiGraphqlExtensions;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiGraphqlError';
    const code = GRAPHQL_CODES[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');
    this.extensions = {
      code,
      error: body.error,
      ...(body.fields === undefined ? {} : { fields: body.fields }),
    };
  }
}
