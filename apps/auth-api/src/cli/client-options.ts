import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

import { ApiError } from '@jwt-token/service-kit';

import { type ClientMetadata, resolveClientMetadata } from '../clients/client-metadata';
import { CreateClientDto } from '../clients/dto/create-client.dto';
import type { CommandInput } from './cli.commands';

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/** `clients:create` options → the same DTO and checks as `POST /clients`. */
export function clientDtoFromOptions(
  name: string,
  options: CommandInput['options'],
): ClientMetadata {
  const dto = plainToInstance(CreateClientDto, {
    name,
    scopes: list(options.scopes),
    redirect_uris: list(options['redirect-uris']),
    post_logout_redirect_uris: list(options['post-logout-redirect-uris']),
    grant_types: list(options['grant-types']),
    token_endpoint_auth_method: options['auth-method'],
    application_type: options.native ? 'native' : undefined,
    first_party: options['first-party'],
    id_token_signed_response_alg: options['id-token-alg'],
    dpop_bound_access_tokens: options.dpop,
  });
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const messages = errors.flatMap((error) => Object.values(error.constraints ?? {}));
    throw new ApiError(400, 'validation_failed', messages.join('; '));
  }
  return resolveClientMetadata(dto);
}
