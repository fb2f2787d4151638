/** Title and summary of resource-api's OpenAPI document (served at /docs). */
export const RESOURCE_API_OPENAPI = {
  title: 'resource-api',
  description:
    'Demo resource server: routes guarded by the role and scope claims of tokens from auth-api, verified with its JWKS.',
};
